-- wrk script of bench/city.rs: authenticated GETs of $BENCH_PREFIX<id>, the ids read from the
-- file $BENCH_IDS (one a line) and taken in a different stride by each thread, so the requests
-- spread over the whole city. The bearer token is $BENCH_TOKEN.
local ids = {}
for line in io.lines(os.getenv("BENCH_IDS")) do
  ids[#ids + 1] = line
end
local prefix = os.getenv("BENCH_PREFIX")
local headers = { ["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN") }
local threads = 0
local n = 0

function setup(thread)
  threads = threads + 1
  thread:set("n", threads * 7919)
end

function request()
  n = (n + 104729) % #ids
  return wrk.format("GET", prefix .. ids[n + 1], headers)
end

-- wrk script of bench/city.rs: public survey submissions to $BENCH_PATH for the service
-- $BENCH_SERVICE, each from its own address (X-Forwarded-For; the server trusts 127.0.0.1 as
-- its proxy), so the per-address rate limit never refuses one: every request is validated and
-- written. Addresses run through 198.18.0.0/15 (set aside for benchmarks), per thread.
local path = os.getenv("BENCH_PATH")
local body = '{"service":"' .. os.getenv("BENCH_SERVICE") .. '",' ..
  '"answers":{"u1":4,"u2":3,"u3":3,"u4":4,"u5":3,"u6":4,"u7":4,"u8":2,"u9":3},' ..
  '"gender":"p","age":"u26_35","comment":"Pelayanan cepat."}'
local threads = 0
local t = 0
local n = 0

function setup(thread)
  threads = threads + 1
  thread:set("t", threads)
end

function request()
  n = n + 1
  local k = t * 65536 + n
  local address = string.format("198.%d.%d.%d", 18 + math.floor(k / 65536) % 2,
    math.floor(k / 256) % 256, k % 256)
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/json",
    ["X-Forwarded-For"] = address,
  }, body)
end

-- POST /api/v1/public/lead-forms/{key} (the URL given to wrk) as many visitors: no token, a fresh
-- name, email and phone each time and an X-Forwarded-For of its own per submission (the app runs
-- with CRM_TRUST_FORWARDED_FOR, as behind a proxy), so the per-address rate limit never bites.
-- Arguments: <invocation number>.
dofile("bench/wrk/common.lua")

function init(args)
   invocation = tonumber(args[1])
   n = 0
end

function request()
   n = n + 1
   local headers = {
      ["Content-Type"] = "application/json",
      ["Accept"] = "application/json",
      ["X-Forwarded-For"] = string.format("10.%d.%d.%d", (invocation * 8 + tid) % 256,
                                          math.floor(n / 256) % 256, n % 256),
   }
   local body = string.format(
      '{"name":"访客 %d-%d-%d","company":"压测线索公司 %d","title":"采购经理",' ..
      '"phone":"+86 12%03d%d%05d","email":"visitor-%d-%d-%d@load.bench.example.com",' ..
      '"description":"Submitted by the load benchmark."}',
      invocation, tid, n, n % 1000, invocation % 1000, tid % 10, n % 100000, invocation, tid, n)
   return wrk.format("POST", nil, headers, body)
end

-- POST /api/v1/public/campaigns/{key}/registrations (the URL given to wrk) as many visitors: no
-- token, a fresh name, e-mail and phone each time (each registrant is a new lead and a new member),
-- the form's answer and consent, and an X-Forwarded-For of its own per registration (the app runs
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
      ["Accept-Language"] = (n % 2 == 0) and "zh-CN" or "en",
      ["X-Forwarded-For"] = string.format("11.%d.%d.%d", (invocation * 8 + tid) % 256,
                                          math.floor(n / 256) % 256, n % 256),
   }
   local body = string.format(
      '{"name":"参会者 %d-%d-%d","company":"压测报名公司 %d",' ..
      '"phone":"+86 13%03d%d%05d","email":"attendee-%d-%d-%d@load.bench.example.com",' ..
      '"answers":{"role":"工程师"},"consents":{"terms":true}}',
      invocation, tid, n, n % 1000, invocation % 1000, tid % 10, n % 100000, invocation, tid, n)
   return wrk.format("POST", nil, headers, body)
end

-- POST /api/v1/reports/run: an unsaved report (bench/scenarios.py REPORT_BODIES), grouped by
-- owner and month over every record the caller's range reaches.
dofile("bench/wrk/common.lua")

function init(args)
   headers = auth_headers(args[1], {["Content-Type"] = "application/json"})
   body = args[2]
end

function request()
   return wrk.format("POST", nil, headers, body)
end

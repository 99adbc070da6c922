-- POST /api/v1/segments/preview: an unsaved segment of three conditions over the contacts (the
-- builder's live count): contacts of level-A customers in IT or manufacturing, tagged
-- decision-maker or champion (bench/scenarios.py SEGMENT_PREVIEW_BODY).
dofile("bench/wrk/common.lua")

function init(args)
   headers = auth_headers(args[1], {["Content-Type"] = "application/json"})
   body = args[2]
end

function request()
   return wrk.format("POST", nil, headers, body)
end

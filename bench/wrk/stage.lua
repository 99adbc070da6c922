-- POST /api/v1/opportunities/{id}/stage as the rep: each line of args[2] is "<deal> <its stage>
-- <the other stage>" (two open stages without required fields, as the deal is now). Thread k of
-- args[3] threads takes every k-th deal, so no two threads move the same deal, and each request
-- moves its deal to the stage it is not in: every request is a real move.
dofile("bench/wrk/common.lua")

function init(args)
   headers = auth_headers(args[1], {["Content-Type"] = "application/json"})
   local nthreads = tonumber(args[3])
   deals = {}
   local k = 0
   for line in io.lines(args[2]) do
      local id, now, other = line:match("^(%S+) (%S+) (%S+)$")
      if id then
         k = k + 1
         if k % nthreads == (tid or 1) - 1 then
            deals[#deals + 1] = {id = id, at = now, other = other}
         end
      end
   end
   assert(#deals > 0, "no deals for thread " .. tostring(tid))
   i = 0
end

function request()
   i = i % #deals + 1
   local d = deals[i]
   d.at, d.other = d.other, d.at
   return wrk.format("POST", "/api/v1/opportunities/" .. d.id .. "/stage", headers,
                     '{"stage_id":"' .. d.at .. '"}')
end

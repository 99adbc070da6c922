-- GET a list page: the path (with its query) is the URL given to wrk.
dofile("bench/wrk/common.lua")

function init(args)
   headers = auth_headers(args[1])
end

function request()
   return wrk.format("GET", nil, headers)
end

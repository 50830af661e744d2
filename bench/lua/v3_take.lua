-- Allocation: POST /v3/ips {"count":1}, each take one IP from the inventory.
-- Argument: the account's API key. Any answer but a 2xx whose body lists the IPs counts
-- as bad (ipfleet answers 201; the floor, serving a sample answer, 200).
dofile("report.lua")

local headers = { ["Content-Type"] = "application/json" }
local BODY = '{"count":1}'
bad = 0

function init(args)
  headers["Authorization"] = "Bearer " .. args[1]
end

function request()
  return wrk.format("POST", nil, headers, BODY)
end

function response(status, _, body)
  if status < 200 or status > 299 or not string.find(body, '"ips":[{', 1, true) then
    bad = bad + 1
  end
end

-- S3: customer.sendip task=append set=specify with 4 random IPs for a random subuser.
-- Arguments: "api_user=...&api_key=...", the file of subuser names, the file of the
-- account's IPs. Any answer but HTTP 200 with {"message":"success"} counts as bad.
dofile("report.lua")

local auth, names, ips
local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
local SUCCESS = '{"message":"success"}'
bad = 0

function init(args)
  auth = args[1]
  names = read_lines(args[2])
  ips = read_lines(args[3])
  math.randomseed(104729 * id)
end

function request()
  local parts = { auth, "task=append", "set=specify", "user=" .. names[math.random(#names)] }
  for _ = 1, 4 do
    parts[#parts + 1] = "ip%5B%5D=" .. ips[math.random(#ips)]:gsub(":", "%%3A")
  end
  return wrk.format("POST", nil, headers, table.concat(parts, "&"))
end

function response(status, _, body)
  if status ~= 200 or body ~= SUCCESS then
    bad = bad + 1
  end
end

-- S2: customer.sendip task=list for a random subuser.
-- Arguments: the path and query up to "user=", the file of subuser names.
dofile("report.lua")

local prefix, names

function init(args)
  prefix = args[1]
  names = read_lines(args[2])
  math.randomseed(7919 * id)
end

function request()
  return wrk.format("GET", prefix .. names[math.random(#names)])
end

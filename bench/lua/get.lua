-- A fixed GET (the URL given to wrk): S1 and S4.
dofile("report.lua")

-- The request paths of bench/wrk_paths.ts, read from the file PATHS names, sent in turn (so that
-- with the synthetic rules every request has a distinct URL, and with the site's rules the
-- traffic is weighted as bench/_site.ts says).
local paths = {}
for line in io.lines(os.getenv("PATHS")) do
  paths[#paths + 1] = line
end
local counter = 0

request = function()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end

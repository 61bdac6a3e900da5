-- Distinct request paths for wrk, spread over the 1,000 rules of bench/serve_app.ts (cold).
local counter = 0

request = function()
  counter = counter + 1
  local area = (counter * 7919) % 1000
  return wrk.format("GET", "/area" .. area .. "/" .. counter .. "?page=" .. (counter % 7))
end

-- POST /v1/track, one event per request, every messageId unique.
local counter = 0
local prefix = ""
local auth = "Basic " .. (os.getenv("KAIROS_WRITE_KEY_B64") or "")

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
  prefix = string.format("%x", math.random(1, 2^30))
end

function request()
  counter = counter + 1
  local body = '{"event":"Product Viewed","userId":"user-' .. (counter % 100000) ..
    '","messageId":"' .. prefix .. '-' .. counter ..
    '","properties":{"product_id":"p-' .. (counter % 5000) .. '","price":19.99}}'
  return wrk.format("POST", "/v1/track", { ["Content-Type"] = "application/json", ["Authorization"] = auth }, body)
end

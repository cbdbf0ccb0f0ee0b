-- POST /v1/batch with 100 track events per request, every messageId unique: numbered in order, or
-- with IDS=random 32 random hex digits, as SDKs send them (UUIDs). Generating those costs wrk CPU on
-- the same cores: compare the server's CPU per event.
local counter = 0
local prefix = ""
local random_ids = os.getenv("IDS") == "random"

local function hex(n)
  local t = {}
  for k = 1, n do t[k] = string.format("%x", math.random(0, 15)) end
  return table.concat(t)
end
local auth = "Basic " .. (os.getenv("KAIROS_WRITE_KEY_B64") or "")

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
  prefix = string.format("%x", math.random(1, 2^30))
end

function request()
  counter = counter + 1
  local parts = {}
  for i = 1, 100 do
    local user = (counter * 100 + i) % 100000
    parts[i] = '{"type":"track","event":"Product Viewed","userId":"user-' .. user ..
      '","messageId":"' .. (random_ids and hex(32) or (prefix .. '-' .. counter .. '-' .. i)) ..
      '","properties":{"product_id":"i-' .. (i * 37 % (tonumber(os.getenv("ITEMS") or "5000"))) .. '","price":19.99,"currency":"EUR"},' ..
      '"context":{"page":{"path":"/p"},"userAgent":"bench"}}'
  end
  local body = '{"batch":[' .. table.concat(parts, ",") .. ']}'
  return wrk.format("POST", "/v1/batch", { ["Content-Type"] = "application/json", ["Authorization"] = auth }, body)
end

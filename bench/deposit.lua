-- wrk script: POST /api/v1/deposits as a citizen (BENCH_TOKEN), multipart with the JSON part
-- "deposit" and one small valid PDF (~1.5 KB, correct xref table: the server checks it with qpdf).
-- Each request has its own subject and its own PDF bytes (a counter; the blob store keeps one
-- copy of identical files, so identical attachments would skip a durable file write), and no
-- Idempotency-Key. Any status other than 201 counts as an error. Results are printed by
-- latency.lua (one RESULT line format for every endpoint).
expected_status = 201
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "latency.lua")

local boundary = "----idara-bench-7d1c5e"
local counter = 0

-- A one-page PDF with `marker` on the page; offsets are computed, so any marker length works.
local function sample_pdf(marker)
  local text = "BT /F1 14 Tf 72 780 Td (Demande d'attestation administrative - " .. marker .. ") Tj ET\n"
  for i = 1, 10 do
    text = text .. string.format("BT /F1 10 Tf 72 %d Td (Ligne %d : objet de la demande, pieces jointes, coordonnees.) Tj ET\n",
      756 - 16 * i, i)
  end
  local objs = {
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>",
    "<< /Length " .. #text .. " >>\nstream\n" .. text .. "endstream",
  }
  local parts = { "%PDF-1.4\n%\226\227\207\211\n" }
  local size = #parts[1]
  local offsets = {}
  for i, o in ipairs(objs) do
    offsets[i] = size
    local chunk = i .. " 0 obj\n" .. o .. "\nendobj\n"
    parts[#parts + 1] = chunk
    size = size + #chunk
  end
  parts[#parts + 1] = "xref\n0 " .. (#objs + 1) .. "\n0000000000 65535 f \n"
  for _, off in ipairs(offsets) do parts[#parts + 1] = string.format("%010d 00000 n \n", off) end
  parts[#parts + 1] = "trailer\n<< /Size " .. (#objs + 1) .. " /Root 1 0 R >>\nstartxref\n" .. size .. "\n%%EOF\n"
  return table.concat(parts)
end

local headers = { ["Content-Type"] = "multipart/form-data; boundary=" .. boundary }
if wrk.headers["Authorization"] then headers["Authorization"] = wrk.headers["Authorization"] end

request = function()
  counter = counter + 1
  local n = (id or 0) .. "-" .. counter
  local deposit = '{"administration":"MEF","type":"letter","subject":"طلب شهادة إدارية — demande d\'attestation ' .. n ..
    '","body":"السلام عليكم، أطلب منكم تسليمي شهادة إدارية. Merci."}'
  local body = "--" .. boundary .. "\r\n" ..
    'Content-Disposition: form-data; name="deposit"\r\nContent-Type: application/json\r\n\r\n' .. deposit .. "\r\n" ..
    "--" .. boundary .. "\r\n" ..
    'Content-Disposition: form-data; name="file"; filename="demande.pdf"\r\nContent-Type: application/pdf\r\n\r\n' ..
    sample_pdf("bench " .. n) .. "\r\n" ..
    "--" .. boundary .. "--\r\n"
  return wrk.format("POST", "/api/v1/deposits", headers, body)
end

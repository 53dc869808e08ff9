-- Headless end-to-end check of `rein lsp` in a real client (Neovim 0.7 or newer):
-- opens $REIN_FILE, waits for rein's diagnostics, applies the first quick fix, writes the
-- file and quits; what it saw goes to $REIN_OUT as JSON.
--
--   REIN_BIN=target/debug/rein REIN_FILE=main.tf REIN_OUT=out.json \
--     nvim --headless --clean -c 'luafile editors/nvim/test/smoke.lua'

local bin = assert(os.getenv("REIN_BIN"), "REIN_BIN is not set")
local file = assert(os.getenv("REIN_FILE"), "REIN_FILE is not set")
local out = assert(os.getenv("REIN_OUT"), "REIN_OUT is not set")
local timeout_ms = tonumber(os.getenv("REIN_TIMEOUT_MS") or "20000")

local report = { diagnostics = {}, action = vim.NIL, error = vim.NIL }

local function finish()
  local handle = io.open(out, "w")
  if handle then
    handle:write(vim.fn.json_encode(report))
    handle:close()
  end
  vim.cmd("qall!")
end

local function fail(message)
  report.error = message
  finish()
end

local ok, err = pcall(function()
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  local uri = vim.uri_from_bufnr(buf)
  local received = nil
  local client_id = vim.lsp.start_client({
    name = "rein",
    cmd = { bin, "lsp" },
    root_dir = vim.fn.fnamemodify(file, ":p:h"),
    handlers = {
      ["textDocument/publishDiagnostics"] = function(e, result, ctx, config)
        if result.uri == uri and #result.diagnostics > 0 then
          received = result.diagnostics
        end
        return vim.lsp.handlers["textDocument/publishDiagnostics"](e, result, ctx, config)
      end,
    },
  })
  if not client_id then
    return fail("the client did not start")
  end
  vim.lsp.buf_attach_client(buf, client_id)
  if not vim.wait(timeout_ms, function() return received ~= nil end, 20) then
    return fail("no diagnostics within " .. timeout_ms .. " ms")
  end
  for _, diagnostic in ipairs(received) do
    table.insert(report.diagnostics, {
      code = diagnostic.code,
      line = diagnostic.range.start.line,
      character = diagnostic.range.start.character,
      message = diagnostic.message,
    })
  end
  local client = vim.lsp.get_client_by_id(client_id)
  local first = received[1]
  local response = client.request_sync("textDocument/codeAction", {
    textDocument = { uri = uri },
    range = first.range,
    context = { diagnostics = { first } },
  }, timeout_ms, buf)
  if not response or response.err then
    return fail("the code action request failed: " .. vim.inspect(response))
  end
  local action = nil
  for _, candidate in ipairs(response.result or {}) do
    if candidate.kind == "quickfix" and candidate.edit then
      action = candidate
      break
    end
  end
  if not action then
    return fail("no quick fix offered")
  end
  report.action = action.title
  vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding or "utf-16")
  vim.cmd("write")
  client.stop()
  if not vim.wait(timeout_ms, function() return client.is_stopped() end, 20) then
    return fail("the server did not stop")
  end
  finish()
end)
if not ok then
  fail(tostring(err))
end

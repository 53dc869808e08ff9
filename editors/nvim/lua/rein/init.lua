-- rein for Neovim: starts `rein lsp` for Terraform, CloudFormation and IAM policy JSON buffers.
--
--   require("rein").setup({ cmd = { "/path/to/rein", "lsp" }, settings = { preview = true } })
--
-- Neovim 0.11 and newer use `vim.lsp.config`/`vim.lsp.enable`; 0.8 to 0.10 use `vim.lsp.start`
-- from a FileType autocommand; 0.7 uses `vim.lsp.start_client`.

local M = {}

-- Neovim 0.7: the client started for each root directory.
local started = {}

local defaults = {
  cmd = { "rein", "lsp" },
  -- Plain YAML is left alone; CloudFormation YAML gets `yaml.cloudformation` (see below).
  filetypes = { "terraform", "hcl", "json" },
  -- Sent as `initializationOptions` and on `workspace/didChangeConfiguration`:
  -- { config = "path/to/rein.toml", select = { ... }, ignore = { ... }, preview = false,
  --   profile = "default" | "baseline" }.
  settings = {},
  root_markers = { "rein.toml", ".git" },
}

-- CloudFormation templates are YAML or JSON files that name the template format or hold
-- `Resources` of `AWS::` types; they get the `cloudformation` filetype so that other YAML and
-- JSON buffers are left alone (rein ignores JSON that is no policy anyway).
function M.is_cloudformation(bufnr)
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, 200, false)
  for _, line in ipairs(lines) do
    if line:find("AWSTemplateFormatVersion", 1, true) or line:find("AWS::[%w]+::[%w]+") then
      return true
    end
  end
  return false
end

local function detect_filetypes()
  local group = vim.api.nvim_create_augroup("rein_filetype", { clear = true })
  vim.api.nvim_create_autocmd({ "BufRead", "BufNewFile" }, {
    group = group,
    pattern = { "*.yaml", "*.yml", "*.template", "*.json" },
    callback = function(args)
      if M.is_cloudformation(args.buf) then
        local base = vim.bo[args.buf].filetype
        if base == "" then
          base = args.match:match("%.json$") and "json" or "yaml"
        end
        -- A compound filetype keeps the YAML or JSON syntax highlighting.
        vim.bo[args.buf].filetype = base .. ".cloudformation"
      end
    end,
  })
end

local function root_dir(bufnr, markers)
  local name = vim.api.nvim_buf_get_name(bufnr)
  if vim.fs and vim.fs.find then
    local found = vim.fs.find(markers, { upward = true, path = vim.fs.dirname(name) })[1]
    if found then
      return vim.fs.dirname(found)
    end
  end
  return vim.fn.fnamemodify(name, ":p:h")
end

function M.setup(opts)
  local config = vim.tbl_deep_extend("force", defaults, opts or {})
  detect_filetypes()
  local filetypes = vim.list_extend(vim.deepcopy(config.filetypes), { "yaml.cloudformation", "json.cloudformation" })
  if vim.lsp.config and vim.lsp.enable then
    vim.lsp.config("rein", {
      cmd = config.cmd,
      filetypes = filetypes,
      root_markers = config.root_markers,
      init_options = config.settings,
      settings = { rein = config.settings },
    })
    vim.lsp.enable("rein")
    return
  end
  vim.api.nvim_create_autocmd("FileType", {
    group = vim.api.nvim_create_augroup("rein_lsp", { clear = true }),
    pattern = filetypes,
    callback = function(args)
      -- A JSON template is `json` first and `json.cloudformation` next: attach once.
      for _, client in pairs(vim.lsp.buf_get_clients(args.buf)) do
        if client.name == "rein" then
          return
        end
      end
      local client_config = {
        name = "rein",
        cmd = config.cmd,
        root_dir = root_dir(args.buf, config.root_markers),
        init_options = config.settings,
        settings = { rein = config.settings },
      }
      if vim.lsp.start then
        vim.lsp.start(client_config, { bufnr = args.buf })
      else
        -- One server per root directory, as `vim.lsp.start` does on newer versions.
        local id = started[client_config.root_dir]
        if not id or not vim.lsp.get_client_by_id(id) then
          id = vim.lsp.start_client(client_config)
          started[client_config.root_dir] = id
        end
        if id then
          vim.lsp.buf_attach_client(args.buf, id)
        end
      end
    end,
  })
end

return M

-- Drives a real headless Neovim against the perforch language server for
-- server/tests/nvim_e2e.rs. Steps come from $PERFORCH_STEPS (JSON); results
-- go to $PERFORCH_OUT as JSON. Any failure is written there too, then Neovim quits.
local out_path = assert(os.getenv('PERFORCH_OUT'))
local results = {}

local function finish(err)
  results.error = err
  local file = assert(io.open(out_path, 'w'))
  file:write(vim.json.encode(results))
  file:close()
  vim.cmd('qa!')
end

local ok, err = xpcall(function()
  vim.opt.runtimepath:prepend(os.getenv('PERFORCH_RTP'))
  vim.cmd('runtime! plugin/perforch.lua')
  vim.lsp.config('perforch', {
    cmd = { os.getenv('PERFORCH_BIN'), 'lsp', '--stdio' },
    cmd_env = { PERFORCH_CACHE_DIR = os.getenv('PERFORCH_CACHE_DIR') },
    init_options = vim.json.decode(os.getenv('PERFORCH_INIT') or '{}'),
  })
  vim.lsp.enable('perforch')
  vim.cmd.edit(os.getenv('PERFORCH_FILE'))
  local bufnr = vim.api.nvim_get_current_buf()
  assert(vim.wait(15000, function()
    return #vim.lsp.get_clients({ bufnr = bufnr, name = 'perforch' }) > 0
  end), 'perforch did not attach to ' .. vim.bo.filetype)
  local client = vim.lsp.get_clients({ bufnr = bufnr, name = 'perforch' })[1]
  results.filetype = vim.bo.filetype
  results.encoding = client.offset_encoding

  local line = tonumber(os.getenv('PERFORCH_LINE'))
  local col = tonumber(os.getenv('PERFORCH_COL'))
  vim.api.nvim_win_set_cursor(0, { line + 1, col })
  local params = vim.lsp.util.make_range_params(0, client.offset_encoding)
  params.context = { diagnostics = {} }
  local responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', params, 10000)
  results.actions = {}
  for _, response in pairs(responses or {}) do
    for _, action in ipairs(response.result or {}) do
      table.insert(results.actions, { title = action.title, kind = action.kind })
    end
  end
  -- The plugin's commands exist.
  results.commands = {}
  for _, name in ipairs({ 'PerforchOptimize', 'PerforchApply', 'PerforchReport', 'PerforchCancel' }) do
    results.commands[name] = vim.fn.exists(':' .. name) == 2
  end
end, debug.traceback)
finish(ok and vim.NIL or err)

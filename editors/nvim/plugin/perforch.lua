-- perforch commands for Neovim 0.11+. The language server does the work;
-- these commands pick its code actions and commands for the cursor's function.
if vim.g.loaded_perforch then
  return
end
vim.g.loaded_perforch = true

local ACTION_KIND = 'refactor.rewrite.perforch'

local function perforch_client(bufnr)
  return vim.lsp.get_clients({ bufnr = bufnr, name = 'perforch' })[1]
end

--- Run perforch's code action at the cursor whose title contains `wanted`.
local function run_action(wanted)
  vim.lsp.buf.code_action({
    context = { only = { ACTION_KIND, 'quickfix' }, diagnostics = {} },
    filter = function(action)
      return action.title:find(wanted, 1, true) ~= nil
    end,
    apply = true,
  })
end

local function execute(command, arguments)
  local bufnr = vim.api.nvim_get_current_buf()
  local client = perforch_client(bufnr)
  if not client then
    vim.notify('perforch is not attached to this buffer', vim.log.levels.WARN)
    return
  end
  client:exec_cmd({ title = command, command = command, arguments = arguments }, { bufnr = bufnr })
end

local function cursor_argument()
  local bufnr = vim.api.nvim_get_current_buf()
  local row, col = unpack(vim.api.nvim_win_get_cursor(0))
  return {
    uri = vim.uri_from_bufnr(bufnr),
    line = row - 1,
    character = col,
  }
end

vim.api.nvim_create_user_command('PerforchOptimize', function(opts)
  local goal = opts.args ~= '' and opts.args or 'speed'
  run_action('for ' .. goal)
end, {
  nargs = '?',
  complete = function()
    return { 'speed', 'memory' }
  end,
  desc = 'perforch: optimize the function under the cursor',
})

vim.api.nvim_create_user_command('PerforchApply', function()
  run_action('Apply optimized')
end, { desc = 'perforch: apply the verified variant of the function under the cursor' })

vim.api.nvim_create_user_command('PerforchReport', function()
  execute('perforch.showReport', { cursor_argument() })
end, { desc = "perforch: open the report of the cursor's function's last job" })

vim.api.nvim_create_user_command('PerforchCancel', function()
  execute('perforch.cancel', { cursor_argument() })
end, { desc = "perforch: cancel the job running for the cursor's function" })

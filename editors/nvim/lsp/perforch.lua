-- perforch for Neovim 0.11+: put this folder on 'runtimepath' (or copy this
-- file to ~/.config/nvim/lsp/perforch.lua), then call vim.lsp.enable('perforch').
return {
  cmd = { 'perforch', 'lsp', '--stdio' },
  filetypes = { 'python', 'java', 'cpp', 'c', 'go', 'rust' },
  root_markers = { 'perforch.toml', '.git' },
}

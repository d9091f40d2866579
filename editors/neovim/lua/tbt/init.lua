-- tbt support for Neovim: the tree-sitter parser, its queries, the filetype, and the language
-- server (`tbt lsp`).
--
-- This directory is a plugin: put it on the runtimepath (with a plugin manager, or
-- `vim.opt.runtimepath:append("/path/to/tbt/editors/neovim")`), build the parser once with
-- `editors/neovim/build.sh` (it writes parser/tbt.so), and call nothing: plugin/tbt.lua does
-- the rest. The queries are grammar/tree-sitter-tbt/queries, through the symlink queries/tbt.
--
-- The language server starts with each tbt buffer when `tbt` is on PATH (set
-- `vim.g.tbt_lsp = false` to leave it to your own LSP setup, `vim.g.tbt_lsp_cmd` to run another
-- command).
--
-- Works with Neovim 0.7 and later (the parser is generated with ABI 14). With nvim-treesitter,
-- `require("tbt").register_nvim_treesitter()` lets `:TSInstall tbt` build it instead.
local M = {}

local function plugin_root()
  local source = debug.getinfo(1, "S").source:sub(2)
  return vim.fn.fnamemodify(source, ":p:h:h:h")
end

--- Registers the `tbt` parser with Neovim's tree-sitter (built-in API, 0.7 and later).
--- Returns false if no compiled parser is found.
function M.register_parser()
  local found = vim.api.nvim_get_runtime_file("parser/tbt.so", false)
  local path = found[1]
  if not path then
    return false
  end
  if vim.treesitter.language.add then
    -- Neovim 0.10 and later.
    vim.treesitter.language.add("tbt", { path = path })
  else
    vim.treesitter.require_language("tbt", path)
  end
  return true
end

--- Starts tree-sitter highlighting in a buffer.
function M.start(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  if not M.register_parser() then
    return
  end
  if vim.treesitter.start then
    -- Neovim 0.8 and later.
    vim.treesitter.start(bufnr, "tbt")
  else
    local parser = vim.treesitter.get_parser(bufnr, "tbt")
    vim.treesitter.highlighter.new(parser)
  end
  vim.bo[bufnr].commentstring = "# %s"
end

-- Neovim 0.7 has no vim.lsp.start: one client per project root, started by hand.
local lsp_clients = {}

--- The folder whose language server serves `path`: the nearest one with a tbt.toml, else the
--- nearest with a .git, else the file's own folder.
local function project_root(path)
  local dir = vim.fn.fnamemodify(path, ":p:h")
  local project = vim.fn.findfile("tbt.toml", dir .. ";")
  if project ~= "" then
    return vim.fn.fnamemodify(project, ":p:h")
  end
  local git = vim.fn.finddir(".git", dir .. ";")
  if git ~= "" then
    return vim.fn.fnamemodify(git, ":p:h:h")
  end
  return dir
end

--- Starts the tbt language server (`tbt lsp`, over stdio) for a buffer, or attaches the buffer
--- to the one already serving its project. `opts.cmd` (or `vim.g.tbt_lsp_cmd`) replaces the
--- command, `{ "tbt", "lsp" }` by default. Returns the client id, or nil when the command is not
--- executable.
function M.start_lsp(bufnr, opts)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  opts = opts or {}
  local cmd = opts.cmd or vim.g.tbt_lsp_cmd or { "tbt", "lsp" }
  if vim.fn.executable(cmd[1]) ~= 1 then
    return nil
  end
  local root = project_root(vim.api.nvim_buf_get_name(bufnr))
  local config = { name = "tbt", cmd = cmd, root_dir = root }
  if vim.lsp.start then
    -- Neovim 0.8 and later: reuses the client of the same name and root.
    return vim.lsp.start(config, { bufnr = bufnr })
  end
  local id = lsp_clients[root]
  if not id or not vim.lsp.get_client_by_id(id) then
    id = vim.lsp.start_client(config)
    lsp_clients[root] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

--- Adds tbt to nvim-treesitter's parsers, so that `:TSInstall tbt` builds it from the repository.
function M.register_nvim_treesitter(url)
  local ok, parsers = pcall(require, "nvim-treesitter.parsers")
  if not ok then
    return false
  end
  local info = {
    install_info = {
      url = url or "https://github.com/tbt-dev/tbt",
      location = "grammar/tree-sitter-tbt",
      files = { "src/parser.c", "src/scanner.c" },
      branch = "main",
      generate_requires_npm = false,
      requires_generate_from_grammar = false,
    },
    filetype = "tbt",
  }
  if parsers.get_parser_configs then
    -- nvim-treesitter's master branch.
    parsers.get_parser_configs().tbt = info
  else
    -- nvim-treesitter's main branch: parsers are a plain table, updated on TSUpdate.
    vim.api.nvim_create_autocmd("User", {
      pattern = "TSUpdate",
      callback = function()
        require("nvim-treesitter.parsers").tbt = {
          install_info = { url = info.install_info.url, location = info.install_info.location, branch = "main" },
          tier = 3,
        }
      end,
    })
  end
  return true
end

M.root = plugin_root
return M

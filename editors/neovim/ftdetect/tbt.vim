" .tbt files are tbt (trace-based tests).
autocmd BufRead,BufNewFile *.tbt setfiletype tbt

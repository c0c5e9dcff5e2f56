;; starttrap.wat — density.sh's broken app "start section traps": the module validates, compiles and exports a
;; proper _start, but its start function runs `unreachable`, so every instantiation traps before any request runs.
;; (tests/fixtures/startsection.wat's start section calls WASI and succeeds; this one must fail.)
(module
  (memory (export "memory") 1)
  (func $boom unreachable)
  (start $boom)
  (func (export "_start")))

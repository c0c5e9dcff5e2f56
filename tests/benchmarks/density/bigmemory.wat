;; bigmemory.wat — density.sh's broken app "minimum memory over the route's limit": a 64-page (4 MiB) minimum
;; memory, deployed on a route with limits.memoryMb 1 (the API's smallest), so no instance can be created within
;; the limit. Otherwise a plain command that answers a short text.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 64)
  (data (i32.const 64) "Content-Type: text/plain\n\nbig memory\n")  ;; 37 bytes
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 37))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))

-- wrk script for tools/bench_openai_http.sh: the same non-streamed chat request openai_http_load sends.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"test-model","stream":false,"max_tokens":16,' ..
           '"messages":[{"role":"user","content":"What is 2+2?"}]}'

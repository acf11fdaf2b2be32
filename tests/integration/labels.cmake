# Read by ctest after the discovered integration tests (TEST_INCLUDE_FILES): each test's labels,
# from its suite's name. Every test has `integration`; besides:
#   threaded  the tests that drive the threaded paths (streams on the worker threads fed by the
#             control thread's dispatcher, fan-out, resume, Redis faults and reconnects, drain,
#             revocation, slow consumers, lifetime timers, leases, metrics, TLS, the webhook API's
#             hops between a worker and the control thread's Redis and sender, and sse-webhookd's tests):
#             scripts/test runs these against the TSan builds of sse-gateway and sse-webhookd
#             (ctest -L threaded), besides the ASan+UBSan run of every integration test
#   nginx     behind the nginx sidecar (deploy/nginx)
#   bench     the sse-bench instrument (built only with SSEGW_BUILD_BENCH)
# scripts/test runs nginx and bench in its unsanitized pass as well.
foreach(t IN LISTS integration_tests_TESTS)
    set(labels integration)
    if(t MATCHES "^(stream|resume|lifetime|reconnect_loop|drain|revocation|slow_consumer|metrics_test|redis_outage|conn_limit|tls|webhook_api|webhook_api_outage|webhook_test_send|webhookd_delivery|webhookd_fault|webhookd_fault_aof)\\."
       OR t MATCHES "^redis/fault\\.")
        list(APPEND labels threaded)
    elseif(t MATCHES "^nginx\\.")
        list(APPEND labels nginx)
    elseif(t MATCHES "^bench\\.")
        list(APPEND labels bench)
    endif()
    set_tests_properties("${t}" PROPERTIES LABELS "${labels}")
endforeach()

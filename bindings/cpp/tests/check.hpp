// The pass/fail harness of the C++ wrapper's tests: CHECK, expect_error, run, slurp
// (a file of KEYS_DIR) and the summary line. Header-only, C++17.
#pragma once

#include <jwtkit.hpp>

#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>

static int passed, failed;
static std::string keys_dir;

#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (!(cond))                                                                     \
            throw std::logic_error(std::string(__FILE__ ":") + std::to_string(__LINE__) + \
                                   ": CHECK(" #cond ") failed");                         \
    } while (0)

// Runs `body`, which must throw jwtkit::Error with `status` and a message; returns it.
static std::string expect_error(jwtkit_status status, const std::function<void()> &body) {
    try {
        body();
    } catch (const jwtkit::Error &e) {
        if (e.status() != status)
            throw std::logic_error(std::string("expected ") + jwtkit_status_str(status) + ", got " +
                                   e.status_name() + ": " + e.what());
        CHECK(std::string(e.what()).size() > 0);
        return e.what();
    }
    throw std::logic_error(std::string("expected ") + jwtkit_status_str(status) + ", nothing thrown");
}

static void run(const char *name, void (*test)()) {
    try {
        test();
        passed++;
        std::printf("ok   %s\n", name);
    } catch (const std::exception &e) {
        failed++;
        std::printf("FAIL %s: %s\n", name, e.what());
    }
}

static std::string slurp(const std::string &name) {
    std::ifstream in(keys_dir + "/" + name, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + keys_dir + "/" + name);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Prints "N passed, M failed"; the exit code.
static int check_summary() {
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}

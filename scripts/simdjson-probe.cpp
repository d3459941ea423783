// How fast simdjson reads an NDJSON file on one core, line by line, for BENCHMARKS.md ("simdjson,
// measured"). Not part of the build: SessionGraph does not link simdjson (the measurement below is
// why). To rerun:
//
//   apt-get install -y libsimdjson-dev
//   g++ -O3 -march=native -std=c++17 scripts/simdjson-probe.cpp -o /tmp/simdjson-probe $(pkg-config --cflags --libs simdjson)
//   for f in bench-data/tenant-2000x2-seed42/*.ndjson; do /tmp/simdjson-probe $f; done
//
// Modes, each over every line of the file:
//   dom     the DOM parser (stage 1 and 2): validates the whole record, builds its tape;
//   stage1  stage 1 alone: UTF-8 and string checks and the structural positions, no grammar;
//   walk    the On-Demand parser visiting every value (which validates what it visits);
//   keys    the On-Demand parser visiting the record's top-level keys only (values unchecked).
#include <simdjson.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

using namespace simdjson;

static size_t values = 0;

static error_code walk(ondemand::value value) {
    ondemand::json_type type;
    if (auto error = value.type().get(type)) return error;
    switch (type) {
    case ondemand::json_type::object: {
        ondemand::object object;
        if (auto error = value.get_object().get(object)) return error;
        for (auto field : object) {
            std::string_view key;
            if (auto error = field.unescaped_key().get(key)) return error;
            ondemand::value inner;
            if (auto error = field.value().get(inner)) return error;
            if (auto error = walk(inner)) return error;
        }
        return SUCCESS;
    }
    case ondemand::json_type::array: {
        ondemand::array array;
        if (auto error = value.get_array().get(array)) return error;
        for (auto element : array) {
            ondemand::value inner;
            if (auto error = element.get(inner)) return error;
            if (auto error = walk(inner)) return error;
        }
        return SUCCESS;
    }
    case ondemand::json_type::string: { values++; std::string_view text; return value.get_string().get(text); }
    case ondemand::json_type::number: { values++; double number; return value.get_double().get(number); }
    case ondemand::json_type::boolean: { values++; bool flag; return value.get_bool().get(flag); }
    case ondemand::json_type::null: { values++; bool null; return value.is_null().get(null); }
    }
    return SUCCESS;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: simdjson-probe FILE.ndjson\n"); return 64; }
    padded_string text;
    if (padded_string::load(argv[1]).get(text)) { fprintf(stderr, "cannot read %s\n", argv[1]); return 66; }
    const uint8_t *bytes = reinterpret_cast<const uint8_t *>(text.data());
    const size_t length = text.size();
    for (std::string mode : {"dom", "stage1", "walk", "keys"}) {
        auto start = std::chrono::steady_clock::now();
        dom::parser domParser;
        ondemand::parser onDemand;
        if (domParser.allocate(1 << 20, 256)) return 70;
        size_t records = 0, failures = 0, at = 0;
        while (at < length) {
            const void *newline = memchr(bytes + at, '\n', length - at);
            size_t end = newline ? static_cast<const uint8_t *>(newline) - bytes : length;
            if (end > at) {
                error_code error = SUCCESS;
                if (mode == "dom") {
                    dom::element root;
                    error = domParser.parse(bytes + at, end - at, false).get(root);
                } else if (mode == "stage1") {
                    error = domParser.implementation->stage1(bytes + at, end - at, stage1_mode::regular);
                } else {
                    ondemand::document document;
                    error = onDemand.iterate(padded_string_view(bytes + at, end - at, length + SIMDJSON_PADDING - at)).get(document);
                    if (!error && mode == "walk") {
                        ondemand::value root;
                        error = document.get_value().get(root);
                        if (!error) error = walk(root);
                    } else if (!error) {
                        ondemand::object object;
                        error = document.get_object().get(object);
                        if (!error) for (auto field : object) { std::string_view key; if ((error = field.unescaped_key().get(key))) break; }
                    }
                }
                if (error) failures++; else records++;
            }
            at = end + 1;
        }
        double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        printf("%-7s %s: %zu records, %zu refused, %.3f s, %.0f MB/s (%s)\n", mode.c_str(), argv[1], records, failures, seconds,
               length / seconds / 1e6, get_active_implementation()->name().c_str());
    }
    return 0;
}

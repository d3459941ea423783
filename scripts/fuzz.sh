#!/usr/bin/env bash
# Runs the libFuzzer harness for every parser entry point, SECONDS each (default 60), seeded from
# ../shared/samples and Examples/. Crashes are written to fuzz-artifacts/<target>/; replay one with
#   swift run sessiongraph-fuzz <target> fuzz-artifacts/<target>/crash-…
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${SECONDS_EACH:-60}"
TARGETS="${TARGETS:-json-record csv-record file-parts timestamp uti dot-escaping redaction}"
swift build --product sessiongraph-fuzz --scratch-path .build-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -use-ld=lld
BIN=.build-fuzz/debug/sessiongraph-fuzz
mkdir -p fuzz-corpus fuzz-artifacts
for target in $TARGETS; do
  corpus="fuzz-corpus/$target"
  mkdir -p "$corpus" "fuzz-artifacts/$target"
  if [ -z "$(ls -A "$corpus")" ]; then
    case "$target" in
      json-record) find ../shared/samples Examples -name '*.json' -o -name '*.ndjson' 2>/dev/null | while read -r f; do head -c 65536 "$f" > "$corpus/$(basename "$f")"; done ;;
      file-parts)
        find ../shared/samples Examples -name '*.json' -o -name '*.ndjson' -o -name '*.csv' 2>/dev/null | while read -r f; do head -c 65536 "$f" > "$corpus/$(basename "$f")"; done
        # Envelopes a line each (Event Hub messages, Graph pages), made from the NDJSON samples.
        find ../shared/samples -name '*.ndjson' 2>/dev/null | while read -r f; do
          awk 'NF { printf "{\"records\": [%s]}\n", $0 }' "$f" | head -c 65536 > "$corpus/messages-$(basename "$f")"
          awk 'NF { printf "{\"@odata.context\":\"x\",\"value\":[%s]}\n", $0 }' "$f" | head -c 65536 > "$corpus/pages-$(basename "$f")"
        done ;;
      csv-record) find ../shared/samples Examples -name '*.csv' 2>/dev/null | while read -r f; do head -c 65536 "$f" > "$corpus/$(basename "$f")"; done ;;
      timestamp) for t in "2022-01-24T05:10:08.6816663+00:00" "4/28/2021, 2:08:45.221 PM" "1759394725" "11/14/2025 1:48:53 AM"; do printf '%s' "$t" > "$corpus/$(echo "$t" | md5sum | cut -c1-8)"; done ;;
      uti) for t in "3kVZRE8tFkinHtPA7_EFAA" "MDg4YjQ0MDktOWU2My00MjVkLWI3NzctMmM4YzZjMzgwYjAw" "[2a01:db8::1]:36185" "00aa1b2c-3d4e-5f60-7182-93a4b5c6d7e8"; do printf '%s' "$t" > "$corpus/$(echo "$t" | md5sum | cut -c1-8)"; done ;;
      redaction) printf 'alice@contoso.example\000Tim\000203.0.113.10\001{"user":"Alice@Contoso.example","rootTime":"Tim"} 203.0.113.100 203.0.113.10\\nTim' > "$corpus/seed-values"; printf 'ab\000abc\000b-c\001xabc ab-b-c abcab' > "$corpus/seed-nested" ;;
      dot-escaping) for t in 'a"b\\N<script>&amp;]' $'line\nline\r\n\x00\xe2\x80\xae'; do printf '%s' "$t" > "$corpus/$(echo "$t" | md5sum | cut -c1-8)"; done ;;
    esac
  fi
  echo "== $target: ${SECONDS_EACH}s"
  SG_FUZZ_TARGET=$target "$BIN" "$corpus" -max_total_time="$SECONDS_EACH" -max_len=65536 -timeout=10 \
    -artifact_prefix="fuzz-artifacts/$target/" -print_final_stats=1 2>&1 | grep -E "stat::number_of_executed_units|stat::peak_rss|cov:|ERROR|SUMMARY" | tail -4 || true
  # A crash stops that target only; its input is in fuzz-artifacts/$target/.
done

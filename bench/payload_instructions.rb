# frozen_string_literal: true

# The payload bench counted in instructions (valgrind --tool=callgrind) instead of
# time: on a shared, loaded machine wall-clock ratios move by tens of percent, instruction
# counts by well under one. Each side runs CALLS times in its own process, minus a
# process doing no call (start-up and loading). valgrind hides SHA extensions from
# OpenSSL, so HMAC takes its portable code on both sides: this ratio runs below the
# wall-clock one on a CPU with SHA-NI. Not a *_bench.rb file: `rake bench` skips it.
# Usage: ruby bench/payload_instructions.rb [CALLS]   (needs valgrind; a few minutes)
require "rbconfig"
require "tempfile"

if ARGV.first == "--child"
  require_relative "payload_cases"
  _, side, label, calls = ARGV
  body = PayloadCases::BODIES.fetch(label)
  header = PayloadCases.header(body)
  job = {
    "native" => -> { PayloadCases.native_all(body, header) },
    "reference" => -> { PayloadCases.reference_all(body, header) },
    "native_parse" => -> { PayloadCases.native_reads(body) },
    "reference_parse" => -> { PayloadCases.reference(body) }
  }.fetch(side)
  job.call
  Integer(calls).times { job.call }
  exit
end

def instructions(side, label, calls)
  out = Tempfile.new("callgrind")
  log = `valgrind --tool=callgrind --callgrind-out-file=#{out.path} #{RbConfig.ruby} #{__FILE__} --child #{side} \
'#{label}' #{calls} 2>&1`
  Integer(log[/Collected : (\d+)/, 1] || raise("callgrind failed:\n#{log}"))
ensure
  out&.close!
end

calls = Integer(ARGV.first || 1000)
require_relative "payload_cases"
PayloadCases::BODIES.each_key do |label|
  { "verify? + classify + reads" => "", "classify + reads, no HMAC" => "_parse" }.each do |what, suffix|
    native, reference = %w[native reference].map do |side|
      (instructions(side + suffix, label, calls) - instructions(side + suffix, label, 0)) / calls.to_f
    end
    printf("%s (%s): C %.0f instructions/call | Ruby %.0f | %.2fx\n", what, label, native, reference,
           reference / native)
  end
end

# frozen_string_literal: true

require "fileutils"

# rake fuzz[SECONDS] — one libFuzzer harness per Ruby-free C core (ext/waweb_native/fuzz/
# fuzz_<core>.c), built with clang -fsanitize=fuzzer,address,undefined straight from the
# core .c files (they include no ruby.h), each run SECONDS (default 60) one after the
# other. Any crash, sanitizer report, leak (LeakSanitizer is on), timeout or broken
# contract check fails the task; the reproducer lands in tmp/fuzz/artifacts/<harness>/.
#
# Corpora: the committed seeds in ext/waweb_native/fuzz/corpus/<harness>/ (plus, for the
# payload harness, the webhook fixtures) are read; what the fuzzer grows goes to
# tmp/fuzz/corpus/<harness>/. `rake fuzz:merge` minimises both into the committed
# directory (-merge=1). FUZZ=jid,payload limits the harnesses; FUZZ_CFLAGS adds compiler
# flags (e.g. -fno-sanitize=pointer-overflow to look past a known report).
module Fuzz
  PROJECT = File.expand_path("..", __dir__)
  EXT = File.join(PROJECT, "ext/waweb_native")
  SRC = File.join(EXT, "fuzz")
  OUT = File.join(PROJECT, "tmp/fuzz")
  # The Ruby-free cores; client.c (libcurl) has no harness.
  CORES = %w[jid signature payload multipart].freeze
  # Ruby-free helpers the cores call, linked into every harness.
  SUPPORT = %w[json_scan].freeze
  MAX_LEN = { "jid" => 512, "signature" => 512, "multipart" => 4096, "payload" => 65_536 }.freeze

  module_function

  def clang
    ENV["CLANG"] || %w[clang clang-14].find { |c| system("command -v #{c} >/dev/null") } ||
      abort("fuzz needs clang and libclang-rt-14-dev (apt-get install clang libclang-rt-14-dev)")
  end

  def harnesses
    wanted = ENV["FUZZ"]&.split(",")
    CORES.select { |c| wanted.nil? || wanted.include?(c) }.select do |c|
      next true if File.exist?(File.join(EXT, "#{c}.c")) && File.exist?(File.join(SRC, "fuzz_#{c}.c"))

      warn "fuzz: skipping #{c} (#{c}.c or fuzz/fuzz_#{c}.c missing)"
      false
    end
  end

  def fixtures
    dir = ENV.fetch("WAWEB_FIXTURES") { File.expand_path("../shared/fixtures/webhooks", PROJECT) }
    dir = "/work/shared/fixtures/webhooks" unless File.directory?(dir)
    %w[v7 v8].map { |v| File.join(dir, v) }.select { |d| File.directory?(d) }
  end

  def build(name)
    FileUtils.mkdir_p(OUT)
    bin = File.join(OUT, "fuzz_#{name}")
    cores = (CORES + SUPPORT).map { |c| File.join(EXT, "#{c}.c") }.select { |f| File.exist?(f) }
    libs = `pkg-config --cflags --libs yajl libcrypto 2>/dev/null`.split
    libs = %w[-lyajl -lcrypto] if libs.empty?
    cmd = [clang, "-std=c99", "-g", "-O1", "-Wall", "-Wextra", "-Wno-unused-parameter",
           "-fno-omit-frame-pointer", "-fsanitize=fuzzer,address,undefined",
           "-fno-sanitize-recover=undefined", *ENV.fetch("FUZZ_CFLAGS", "").split, "-I#{EXT}", "-o", bin,
           File.join(SRC, "fuzz_#{name}.c"), *cores, *libs]
    puts "+ #{cmd.join(' ')}"
    system(*cmd) || abort("fuzz: building fuzz_#{name} failed")
    bin
  end

  def corpora(name)
    work = File.join(OUT, "corpus", name)
    seeds = File.join(SRC, "corpus", name)
    FileUtils.mkdir_p([work, seeds])
    extra = name == "payload" ? fixtures : []
    [work, seeds, *extra]
  end

  def options(name)
    dict = File.join(SRC, "#{name}.dict")
    opts = ["-max_len=#{MAX_LEN.fetch(name)}", "-timeout=10", "-rss_limit_mb=2048", "-print_final_stats=1"]
    opts << "-dict=#{dict}" if File.exist?(dict)
    opts
  end

  # Runs one harness; returns [ok, executions].
  def run(name, seconds)
    bin = build(name)
    artifacts = File.join(OUT, "artifacts", name)
    FileUtils.mkdir_p(artifacts)
    log = File.join(OUT, "#{name}.log")
    cmd = [bin, "-max_total_time=#{seconds}", "-artifact_prefix=#{artifacts}/", *options(name), *corpora(name)]
    puts "==> fuzz_#{name} for #{seconds}s (log: #{log})"
    ok = system(*cmd, out: log, err: %i[child out])
    text = File.read(log, encoding: "BINARY")
    execs = text[/stat::number_of_executed_units:\s*(\d+)/, 1].to_i
    warn text.lines.last(60).join unless ok
    [ok, execs]
  end

  def merge(name)
    bin = build(name)
    seeds = File.join(SRC, "corpus", name)
    fresh = File.join(OUT, "merged", name)
    FileUtils.rm_rf(fresh)
    FileUtils.mkdir_p(fresh)
    inputs = [seeds, File.join(OUT, "corpus", name)].select { |d| File.directory?(d) }
    system(bin, "-merge=1", "-max_len=#{MAX_LEN.fetch(name)}", fresh, *inputs,
           out: File::NULL, err: File.join(OUT, "#{name}.merge.log")) || abort("fuzz: merge of #{name} failed")
    files = Dir[File.join(fresh, "*")]
    bytes = files.sum { |f| File.size(f) }
    puts "fuzz:merge #{name}: #{files.size} inputs, #{bytes} bytes"
    return warn("fuzz:merge #{name}: over 512 KiB, committed corpus left alone") if bytes > 512 * 1024

    FileUtils.rm_rf(seeds)
    FileUtils.mv(fresh, seeds)
  end
end

desc "Fuzz each Ruby-free C core with libFuzzer+ASan+UBSan for SECONDS each (default 60); FUZZ=jid,... to choose"
task :fuzz, [:seconds] do |_t, args|
  seconds = Integer(args[:seconds] || ENV["FUZZ_SECONDS"] || 60)
  results = Fuzz.harnesses.map { |name| [name, *Fuzz.run(name, seconds)] }
  puts "\nharness          result  executions"
  results.each do |name, ok, execs|
    puts format("%<h>-16s %<r>-7s %<n>d", h: "fuzz_#{name}", r: ok ? "ok" : "FAILED", n: execs)
  end
  failed = results.reject { |_, ok, _| ok }
  abort "fuzz: #{failed.map(&:first).join(', ')} failed; see tmp/fuzz/artifacts/" unless failed.empty?
end

namespace :fuzz do
  desc "Minimise seeds + grown corpus into ext/waweb_native/fuzz/corpus/<harness> (-merge=1)"
  task :merge do
    Fuzz.harnesses.each { |name| Fuzz.merge(name) }
  end
end

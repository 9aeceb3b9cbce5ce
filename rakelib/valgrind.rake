# frozen_string_literal: true

require "fileutils"
require "rbconfig"

# rake spec:valgrind — the specs that do not need Rails (files not requiring
# rails_helper) under valgrind memcheck, reporting only what concerns our C.
#
# Ruby's conservative GC scans the machine stack and its own heap, so memcheck reports
# many "uninitialised value" errors inside libruby on any Ruby program; Ruby also keeps
# its heap at exit (before 3.3's RUBY_FREE_AT_EXIT), so its memory shows as "still
# reachable". Rather than a suppression file that must track libruby's internals, the
# task reads memcheck's XML and fails only on reports that are our C's (see ours?):
#   - an invalid read/write/free with a waweb_native.so frame anywhere in its stack;
#   - an uninitialised value used, or a "definitely/indirectly lost" block allocated, by
#     our code or a library it called directly (yajl, libcrypto, libcurl, libc) rather
#     than by Ruby.
# Every other report is counted and left out. The XML stays in tmp/valgrind for reading.
module ValgrindRun
  PROJECT = File.expand_path("..", __dir__)
  DIR = File.join(PROJECT, "tmp/valgrind")
  OUR_OBJ = /waweb_native\.#{RbConfig::CONFIG['DLEXT']}/

  module_function

  # Rails specs are left out, whether they require rails_helper themselves or through a
  # require_relative'd helper (spec/inbound, spec/operators); so is the demo spec, whose
  # C runs in a child process valgrind does not trace (--trace-children=no).
  def specs
    Dir.chdir(PROJECT) do
      Dir["spec/**/*_spec.rb"].reject { |f| rails?(f) || File.read(f).include?("spec/dummy/script") }
    end
  end

  def rails?(file, seen = [])
    return false if seen.include?(file) || !File.exist?(file)

    seen << file
    text = File.read(file)
    return true if text.match?(/require\s*\(?\s*["']rails_helper/)

    text.scan(/require_relative\s*\(?\s*["']([^"']+)["']/).any? do |(rel)|
      rails?(File.expand_path("#{rel.delete_suffix('.rb')}.rb", File.dirname(file)), seen)
    end
  end

  LIBRUBY = /libruby/

  # An invalid read/write/free with one of our frames anywhere in its stack is ours (this
  # includes our code handing a bad pointer to a Ruby or libc function). An uninitialised
  # value or a leak is ours only when, walking down from the top, a waweb_native.so frame
  # comes before any libruby frame: Ruby's conservative GC scans the stack under our frames
  # (uninitialised reads in gc.c) and Ruby's own tables are allocated from our Init (method
  # entries, lost to valgrind only because Ruby does not free them at exit).
  def ours?(error_xml)
    kind = error_xml[%r{<kind>(.*?)</kind>}m, 1].to_s
    objs = error_xml[%r{<stack>.*?</stack>}m].to_s.scan(%r{<frame>(.*?)</frame>}m).map do |(f)|
      f[%r{<obj>(.*?)</obj>}m, 1].to_s
    end
    return objs.any? { |o| o.match?(OUR_OBJ) } if kind.start_with?("Invalid", "Mismatched", "Overlap")

    first = objs.find { |o| o.match?(OUR_OBJ) || o.match?(LIBRUBY) }
    !first.nil? && first.match?(OUR_OBJ)
  end

  def describe(error_xml)
    kind = error_xml[%r{<kind>(.*?)</kind>}m, 1]
    what = error_xml[%r{<what>(.*?)</what>}m, 1] || error_xml[%r{<xwhat>\s*<text>(.*?)</text>}m, 1]
    frames = error_xml.scan(%r{<frame>(.*?)</frame>}m).first(12).map do |(f)|
      fn = f[%r{<fn>(.*?)</fn>}m, 1] || "?"
      file = f[%r{<file>(.*?)</file>}m, 1]
      line = f[%r{<line>(.*?)</line>}m, 1]
      obj = File.basename(f[%r{<obj>(.*?)</obj>}m, 1].to_s)
      "    #{fn} #{file ? "#{file}:#{line}" : "(#{obj})"}"
    end
    "#{kind}: #{what}\n#{frames.join("\n")}"
  end

  # Forked children (specs that fork) end with exit!, freeing nothing, and a client's
  # child deliberately drops the parent's pooled handles: their leak reports are not
  # leaks of a running process, so leaks count in the main process only; invalid
  # accesses and uninitialised values count everywhere.
  def analyse(xml_files)
    texts = xml_files.to_h { |f| [f, File.read(f, encoding: "BINARY")] }
    pids = texts.values.map { |t| t[%r{<pid>(\d+)</pid>}, 1] }
    errors = texts.values.flat_map do |text|
      child = pids.include?(text[%r{<ppid>(\d+)</ppid>}, 1])
      text.scan(%r{<error>.*?</error>}m).map { |e| [e, child] }
    end
    ours = errors.select { |e, child| counts?(e, child) }.map { |e, _| describe(e) }
    [ours, errors.size - ours.size]
  end

  def counts?(error_xml, child)
    leak = error_xml[%r{<kind>(.*?)</kind>}m, 1].to_s.start_with?("Leak_")
    !(child && leak) && ours?(error_xml)
  end

  # Valgrind keeps file descriptors of its own and virtualises RLIMIT_NOFILE, so a spec
  # that lowers the limit to provoke EMFILE cannot work under it (it runs in the plain
  # and ASan suites).
  EXCLUDE = /EMFILE/

  def exclusions_file
    path = File.join(DIR, "exclude.rb")
    File.write(path, <<~RUBY)
      # frozen_string_literal: true

      RSpec.configure { |c| c.filter_run_excluding(full_description: #{EXCLUDE.inspect}) }
    RUBY
    path
  end
end

namespace :spec do
  desc "Run the non-Rails specs under valgrind memcheck; fail on errors or leaks in waweb_native.so frames"
  task valgrind: :compile do
    abort "valgrind is not installed (apt-get install valgrind)" unless system("command -v valgrind >/dev/null")
    specs = ENV.fetch("SPEC", "").split
    specs = ValgrindRun.specs if specs.empty?
    abort "spec:valgrind: no non-Rails specs found" if specs.empty?
    FileUtils.rm_rf(ValgrindRun::DIR)
    FileUtils.mkdir_p(ValgrindRun::DIR)
    env = {}
    # Frees Ruby's heap at exit where the interpreter supports it (3.3+): fewer
    # "still reachable" blocks, no effect on what the filter keeps.
    env["RUBY_FREE_AT_EXIT"] = "1" if Gem::Version.new(RUBY_VERSION) >= Gem::Version.new("3.3")
    cmd = ["valgrind", "--tool=memcheck", "--xml=yes", "--xml-file=#{ValgrindRun::DIR}/memcheck.%p.xml",
           "--leak-check=full", "--show-leak-kinds=definite,indirect", "--errors-for-leak-kinds=definite,indirect",
           "--num-callers=40", "--error-limit=no", "--trace-children=no", "--read-var-info=no",
           RbConfig.ruby, "-S", "rspec", "--require", ValgrindRun.exclusions_file, "--format", "progress", *specs]
    puts "==> #{cmd.join(' ')}"
    ok = system(env, *cmd, chdir: ValgrindRun::PROJECT)
    ours, others = ValgrindRun.analyse(Dir[File.join(ValgrindRun::DIR, "*.xml")])
    puts "spec:valgrind: #{others} report(s) outside waweb_native.so ignored (libruby, libc)"
    ours.each { |d| warn d }
    abort "spec:valgrind: #{ours.size} report(s) in waweb_native.so frames" unless ours.empty?
    abort "spec:valgrind: rspec failed under valgrind" unless ok
    puts "spec:valgrind: 0 reports in waweb_native.so frames"
  end
end

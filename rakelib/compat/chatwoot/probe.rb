# frozen_string_literal: true

require_relative "json_lines"

module Compat
  module Chatwoot
    # The host side of probe_runner.rb: one `bin/rails runner` kept open inside the chroot,
    # so each check reads the records without booting Chatwoot again.
    class Probe
      include JsonLines

      RUNNER = "/waweb-compat/probe_runner.rb"
      REPLY = "PROBE "

      def initialize(services, env)
        FileUtils.mkdir_p(Compat.inside(File.dirname(RUNNER)))
        FileUtils.cp(File.expand_path("probe_runner.rb", __dir__), Compat.inside(RUNNER))
        base = { "HOME" => "/root", "LANG" => "C.UTF-8",
                 "PATH" => "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" }
        args = base.merge(env).map { |k, v| "#{k}=#{v}" }
        @io = IO.popen(["chroot", Compat::ROOT, "/usr/bin/env", "-i", *args, "bash", "-c",
                        "cd /chatwoot && exec bundle exec rails runner #{RUNNER}"],
                       "r+", pgroup: true, err: [services.log_path("probe.log"), "a"])
        services.adopt(:probe, @io.pid)
        ready = read_reply(timeout: 240)
        raise "the probe did not start: #{ready.inspect}" unless ready["ready"]
      end

      def call(name, *args)
        @io.puts(JSON.generate("call" => name, "args" => args))
        reply = read_reply(timeout: 60)
        raise "probe #{name}: #{reply['error']}" unless reply["ok"]

        reply["value"]
      end

      private

      def exited = RuntimeError.new("the probe exited (see its log in the chroot)")
    end
  end
end

# frozen_string_literal: true

require "socket"
require "securerandom"

module Compat
  module Chatwoot
    # The processes of one run, all inside the chroot: PostgreSQL 17 (pgvector), Redis,
    # Chatwoot's Puma and Sidekiq, on loopback ports found free on this machine (the
    # chroot shares its network). #stop ends every one of them and unmounts what #start
    # mounted, whatever state the run failed in.
    class Services
      PG_BIN = "/usr/lib/postgresql/17/bin"
      LOG_DIR = "/var/log/waweb-compat"

      attr_reader :pg_port, :redis_port, :web_port

      def initialize
        @groups = {} # name => process group id of a `chroot` we spawned
        @mounts = []
        @pg_started = false
        @pg_port = free_port
        @redis_port = free_port
        @web_port = free_port
        @pg_data = "/var/lib/waweb-compat/pg-#{pg_port}" # a run of its own, beside any other
        @secret_key_base = SecureRandom.hex(64)
      end

      def url = "http://127.0.0.1:#{web_port}"

      # Environment of every Chatwoot process (production: eager loading, as operators run it).
      def chatwoot_env(rails_env: "production", with_gem: true, database: nil)
        env = { "RAILS_ENV" => rails_env, "SECRET_KEY_BASE" => @secret_key_base, "FRONTEND_URL" => url,
                "POSTGRES_HOST" => "127.0.0.1", "POSTGRES_PORT" => pg_port.to_s, "POSTGRES_USERNAME" => "postgres",
                "POSTGRES_PASSWORD" => "", "REDIS_URL" => "redis://127.0.0.1:#{redis_port}/0",
                "RAILS_LOG_TO_STDOUT" => "false", "LOG_LEVEL" => "info", "ENABLE_ACCOUNT_SIGNUP" => "false",
                "BUNDLE_GEMFILE" => "/chatwoot/#{with_gem ? 'Gemfile.waweb' : 'Gemfile'}" }
        env["POSTGRES_DATABASE"] = database if database
        env["WAWEB_EVENTS_QUEUE"] = ENV["WAWEB_EVENTS_QUEUE"] if ENV["WAWEB_EVENTS_QUEUE"] # the gem's, passed on
        env
      end

      def start_databases
        mount_proc
        script = <<~SH
          install -d -o postgres -g postgres #{File.dirname(@pg_data)} #{LOG_DIR}
          rm -rf #{@pg_data}
          runuser -u postgres -- #{PG_BIN}/initdb -D #{@pg_data} -A trust -U postgres --no-sync -E UTF8 >/dev/null
          runuser -u postgres -- #{PG_BIN}/pg_ctl -D #{@pg_data} -l #{LOG_DIR}/postgresql.log -w \
            -o "-p #{pg_port} -k /tmp -c listen_addresses=127.0.0.1 -c dynamic_shared_memory_type=mmap -c fsync=off" start
        SH
        @pg_started = true
        Compat.in_chroot(script) || raise("PostgreSQL did not start in the chroot (#{LOG_DIR}/postgresql.log)")
        spawn(:redis, "exec redis-server --port #{redis_port} --bind 127.0.0.1 --save '' --appendonly no",
              log: "redis.log")
        wait_for_port(redis_port, "Redis")
      end

      def start_chatwoot
        env = chatwoot_env.merge(BenchProfile.env)
        spawn(:puma, "cd /chatwoot && exec bundle exec rails server -b 127.0.0.1 -p #{web_port} " \
                     "-P /tmp/waweb-compat-puma.pid", env: env, log: "puma.log")
        spawn(:sidekiq, "cd /chatwoot && exec bundle exec sidekiq -C config/sidekiq.yml", env: env, log: "sidekiq.log")
        wait_for_port(web_port, "Chatwoot's Puma", timeout: 240)
      end

      # A command in the chroot, in the foreground; true when it exited 0.
      def run(script, env = {})
        Compat.in_chroot(script, env)
      end

      # A command in the chroot, its output captured: { ok:, text: }.
      def capture(script, env = {})
        base = { "HOME" => "/root", "LANG" => "C.UTF-8",
                 "PATH" => "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" }
        args = base.merge(Compat.host_trust).merge(env).map { |k, v| "#{k}=#{v}" }
        text = IO.popen(["chroot", Compat::ROOT, "/usr/bin/env", "-i", *args, "bash", "-c", script],
                        err: %i[child out], &:read)
        { ok: $CHILD_STATUS.success?, text: text }
      end

      # A long-lived command in the chroot in a process group of its own.
      def spawn(name, script, log:, env: {})
        base = { "HOME" => "/root", "LANG" => "C.UTF-8",
                 "PATH" => "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" }
        args = base.merge(Compat.host_trust).merge(env).map { |k, v| "#{k}=#{v}" }
        FileUtils.mkdir_p(Compat.inside(LOG_DIR))
        pid = Process.spawn("chroot", Compat::ROOT, "/usr/bin/env", "-i", *args, "bash", "-c", script,
                            pgroup: true, in: File::NULL, %i[out err] => [Compat.inside("#{LOG_DIR}/#{log}"), "a"])
        @groups[name] = pid
        pid
      end

      # A process group spawned elsewhere (the probe's popen), stopped with the others.
      def adopt(name, pid)
        @groups[name] = pid
      end

      def log_path(name) = Compat.inside("#{LOG_DIR}/#{name}")

      def stop
        @groups.reverse_each { |name, pid| stop_group(name, pid) }
        @groups.clear
        if @pg_started
          Compat.in_chroot("runuser -u postgres -- #{PG_BIN}/pg_ctl -D #{@pg_data} stop -m fast >/dev/null || true; " \
                           "rm -rf #{@pg_data}")
          @pg_started = false
        end
        @mounts.reverse_each { |m| system("umount", m) || system("umount", "-l", m) }
        @mounts.clear
        leftover = Compat.mounted_under_root
        warn "compat:chatwoot: still mounted: #{leftover.join(', ')}" unless leftover.empty?
      end

      private

      # /proc for the whole run (Compat.in_chroot leaves a mount it did not make alone).
      def mount_proc
        dir = Compat.inside("proc")
        return if Compat.mounted_under_root.include?(dir)

        Compat.sh!("mount", "-t", "proc", "proc", dir)
        @mounts << dir
      end

      def stop_group(name, pid)
        Process.kill("TERM", -pid)
        30.times do
          return if Process.waitpid(pid, Process::WNOHANG) && !group_alive?(pid)

          sleep 0.5
        end
        warn "compat:chatwoot: #{name} did not stop on TERM; killing it"
        Process.kill("KILL", -pid)
        Process.waitpid(pid)
      rescue Errno::ESRCH, Errno::ECHILD
        nil
      end

      def group_alive?(pgid)
        Process.kill(0, -pgid)
        true
      rescue Errno::ESRCH
        false
      end

      def free_port
        server = TCPServer.new("127.0.0.1", 0)
        server.addr[1]
      ensure
        server&.close
      end

      def wait_for_port(port, what, timeout: 30)
        deadline = Time.now + timeout
        loop do
          TCPSocket.new("127.0.0.1", port).close
          return
        rescue SystemCallError
          raise "#{what} did not listen on #{port} within #{timeout} s" if Time.now > deadline

          @groups.each do |name, pid|
            raise "#{name} exited early (see #{LOG_DIR} in the chroot)" if Process.waitpid(pid, Process::WNOHANG)
          end
          sleep 0.5
        end
      end
    end
  end
end

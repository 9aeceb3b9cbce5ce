# frozen_string_literal: true

module Compat
  module Chatwoot
    # Chatwoot's own specs for what the gem touches, run twice in the chroot: with
    # Chatwoot's Gemfile, then with the gem added. Each run has its own test database, set
    # up as Chatwoot's CI does (db:schema:load; with the gem, then only the gem's migration:
    # Chatwoot's db:migrate also loads installation configs into the database, which
    # changes what its specs read) and an emptied Redis
    # database; Chatwoot's db/schema.rb is put back after each setup, so both load the same schema.
    module ChatwootSpecs
      FILES = %w[spec/models/channel/whatsapp_spec.rb spec/services/whatsapp
                 spec/controllers/webhooks/whatsapp_controller_spec.rb spec/jobs/webhooks/whatsapp_events_job_spec.rb
                 spec/models/contact_inbox_spec.rb spec/services/conversations/message_window_service_spec.rb
                 spec/models/message_spec.rb spec/builders/messages
                 spec/controllers/api/v1/accounts/inboxes_controller_spec.rb
                 spec/controllers/api/v1/accounts/conversations/messages_controller_spec.rb].freeze
      Result = Struct.new(:label, :examples, :failures, :pending, :failed, :error) do
        def summary
          return "#{label}: did not run (#{error})" if error

          "#{label}: #{examples} examples, #{failures} failures, #{pending} pending"
        end
      end

      module_function

      def files
        FILES.select { |f| File.exist?(Compat.inside("chatwoot/#{f}")) }
      end

      def env(services, with_gem)
        services.chatwoot_env(rails_env: "test", with_gem: with_gem,
                              database: "chatwoot_test_#{with_gem ? 'with' : 'without'}_gem")
                .slice("RAILS_ENV", "POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_USERNAME", "POSTGRES_PASSWORD",
                       "POSTGRES_DATABASE", "BUNDLE_GEMFILE")
                .merge("REDIS_URL" => "redis://127.0.0.1:#{services.redis_port}/1")
      end

      def run(services, with_gem)
        label = with_gem ? "with the gem" : "without the gem"
        out = "/tmp/waweb-compat-rspec-#{with_gem ? 'with' : 'without'}.json"
        log = "#{Services::LOG_DIR}/rspec-#{with_gem ? 'with' : 'without'}-gem.log"
        script = <<~SH
          cd /chatwoot
          cp db/schema.rb /tmp/waweb-compat-schema.rb
          restore() { cp /tmp/waweb-compat-schema.rb db/schema.rb; }
          trap restore EXIT
          bundle exec rails db:drop db:create db:schema:load #{'waweb:migrate_own' if with_gem} >#{log} 2>&1
          restore
          rm -f #{out}
          # Chatwoot's specs roll back the database, not Redis (GlobalConfig is cached there):
          # each run starts from an empty Redis database, or the first run's cache leaks into the second.
          redis-cli -h 127.0.0.1 -p #{services.redis_port} -n 1 flushdb >/dev/null
          bundle exec rspec --format progress --format json --out #{out} #{files.join(' ')} >>#{log} 2>&1 || true
        SH
        puts "==> Chatwoot's specs #{label} (log: #{Compat.inside(log)})"
        services.run(script, env(services, with_gem))
        parse(label, Compat.inside(out))
      end

      def parse(label, path)
        return Result.new(label, nil, nil, nil, [], "no rspec result, see the log") unless File.exist?(path)

        data = JSON.parse(File.read(path))
        summary = data.fetch("summary")
        failed = data.fetch("examples").select { |e| e["status"] == "failed" }.map { |e| e["id"] }.sort
        Result.new(label, summary["example_count"], summary["failure_count"], summary["pending_count"], failed, nil)
      end

      def same?(without, with)
        !without.error && !with.error && without.examples.to_i.positive? &&
          %i[examples failures pending failed].all? { |k| without[k] == with[k] }
      end
    end
  end
end

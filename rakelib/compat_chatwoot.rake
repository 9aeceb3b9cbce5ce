# frozen_string_literal: true

# rake compat:chatwoot — real Chatwoot (../shared/chatwoot/ or CHATWOOT_SRC=<checkout>) with
# the gem, in the trixie chroot of compat:ruby33: bin/demo's steps over HTTP against
# Chatwoot's Puma and Sidekiq, then Chatwoot's own specs without and with the gem.
# Long (the first run builds Chatwoot: ~30 min); not part of CI. Needs root.
# See README, "Checking against real Chatwoot".
require "English"
require "fileutils"
require "json"
require "shellwords"
load File.expand_path("compat.rake", __dir__) unless defined?(Compat::ROOT)
%w[build git_sources services probe transcript http_client sidekiq_log management_steps reply_steps
   retry_steps connection_page_steps agent_action_steps second_number_steps history_import_steps dashboard_build
   dashboard_driver dashboard_events dashboard_app_steps dashboard_steps scenario fixture_webhooks bench_profile
   bench chatwoot_specs].each do |file|
  require_relative "compat/chatwoot/#{file}"
end

module Compat
  module Chatwoot
    module_function

    def run
      $stdout.sync = true # a transcript, also when redirected
      require_relative "../spec/support/fake_gateway"
      steps = Transcript.new
      services = Services.new
      gateway = nil
      specs = nil
      begin
        boot(steps, services)
        unless ENV["WAWEB_COMPAT_DEMO"] == "0"
          probe = steps.step("the probe (bin/rails runner kept open)") { Probe.new(services, services.chatwoot_env) }
          migrated(steps, probe) if probe
          gateway = FakeGateway.start(logged_in: false, username: "gowa")
          Scenario.new(transcript: steps, services: services, probe: probe, gateway: gateway).run if probe
        end
        specs = ENV["WAWEB_COMPAT_SPECS"] == "0" ? nil : [false, true].map { |g| ChatwootSpecs.run(services, g) }
      ensure
        gateway&.stop
        services.stop
      end
      report(steps, specs, services)
    end

    def boot(steps, services)
      return steps.step("PostgreSQL and Redis") { services.start_databases } if ENV["WAWEB_COMPAT_DEMO"] == "0"

      steps.section("Chatwoot #{ENV['CHATWOOT_SRC'] || '4.9.1'} in the trixie chroot (Ruby 3.3, production)")
      steps.step("PostgreSQL 17 + pgvector and Redis") do
        services.start_databases
        "PostgreSQL on 127.0.0.1:#{services.pg_port}, Redis on 127.0.0.1:#{services.redis_port} (free ports)"
      end
      prepared = steps.step("db:create db:chatwoot_prepare (Chatwoot's first-install setup)") do
        chatwoot_task(steps, services, "db:create db:chatwoot_prepare")
        "schema, seeds and db:migrate on a fresh database, with the gem in the Gemfile"
      end
      # What an operator does after that failure, so the remaining steps still run.
      unless prepared
        steps.step("then db:migrate db:seed") do
          chatwoot_task(steps, services, "db:migrate db:seed")
          "the workaround an operator needs on a fresh install"
        end
      end
      # Before Puma starts: vite_ruby reads public/vite's manifest once in production.
      if DashboardBuild.enabled?
        steps.step("Chatwoot's dashboard: pnpm install, bin/vite build (in the chroot)") { DashboardBuild.run }
      end
      steps.step("Chatwoot's Puma and Sidekiq") do
        services.start_chatwoot
        code = HttpClient.request(:get, "#{services.url}/api/v1/accounts/1/inboxes").code
        steps.check(code == "401", "an unauthenticated request got HTTP #{code}")
        "rails server at #{services.url} (401 without a token), sidekiq -C config/sidekiq.yml"
      end
    end

    def chatwoot_task(steps, services, tasks)
      out = services.capture("cd /chatwoot && bundle exec rails #{tasks} 2>&1", services.chatwoot_env)
      why = out[:text].lines.grep(/pending migration|\A\s+\d{14} |Error|aborted/).join(" ").squeeze(" ")
      steps.check(out[:ok], why.empty? ? out[:text][-400..] || out[:text] : why)
    end

    def migrated(steps, probe)
      steps.step("the gem's migration ran through db:migrate") do
        steps.check(probe.call("table?", "waweb_processed_events"), "no waweb_processed_events table")
        "table waweb_processed_events exists"
      end
    end

    def report(steps, specs, _services)
      puts steps.table
      ok = steps.ok?
      if specs
        without, with = specs
        same = ChatwootSpecs.same?(without, with)
        puts "\nChatwoot's specs for what the gem touches (#{ChatwootSpecs.files.size} files/dirs):"
        puts "  #{without.summary}", "  #{with.summary}"
        puts "  #{same ? 'same results' : 'DIFFERENT results'}"
        (with.failed - without.failed).each { |id| puts "  fails only with the gem: #{id}" }
        ok &&= same
      end
      puts "\nlogs: #{Compat.inside(Services::LOG_DIR)} (Chatwoot's own: #{Compat.inside('chatwoot/log')})"
      abort "compat:chatwoot FAILED" unless ok
      puts "compat:chatwoot passed"
    end
  end
end

namespace :compat do
  namespace :chatwoot do
    desc "Build real Chatwoot with the gem in the trixie chroot (reused on later runs)"
    task :build do
      Compat.bootstrap
      Compat::Chatwoot::Build.run
    end
  end

  desc "Real Chatwoot + the gem in the trixie chroot: the demo over HTTP and Chatwoot's specs " \
       "without/with the gem (CHATWOOT_SRC=<checkout>; WAWEB_COMPAT_SPECS=0 / WAWEB_COMPAT_DEMO=0 skip one part; " \
       "WAWEB_COMPAT_BENCH=1 adds webhooks vs the REST API bridges' path; " \
       "WAWEB_COMPAT_DASHBOARD=1 builds Chatwoot's dashboard and checks it in Chromium)"
  task chatwoot: "compat:chatwoot:build" do
    Compat::Chatwoot.run
  end
end

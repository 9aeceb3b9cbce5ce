# frozen_string_literal: true

# Loaded by WawebNative::Engine's rake_tasks block; the work is in WawebNative::Operators::Tasks.
namespace :waweb do
  desc "Check a WhatsApp Web inbox (all of them without an id): gateway, credentials, login, webhook secret, clock"
  task :doctor, [:inbox_id] => :environment do |_task, args|
    exit(1) unless WawebNative::Operators::Tasks.doctor(args[:inbox_id])
  end

  desc "Print the gateway flags (--webhook, --webhook-secret, --basic-auth) for a WhatsApp Web inbox. Shows secrets."
  task :webhook_url, [:inbox_id] => :environment do |_task, args|
    WawebNative::Operators::Tasks.webhook_url(args[:inbox_id])
  end

  desc "Import the last DAYS days of a WhatsApp Web inbox's chats from the gateway (resumes a stopped import)"
  task :import, %i[inbox_id days] => :environment do |_task, args|
    exit(1) unless WawebNative::Operators::Tasks.import(args[:inbox_id], args[:days])
  end

  desc "Show whether a WhatsApp Web inbox (all of them without an id) is logged in"
  task :status, [:inbox_id] => :environment do |_task, args|
    exit(1) unless WawebNative::Operators::Tasks.status(args[:inbox_id])
  end

  desc "Point the gateway's device webhook (GOWA v9+) at a WhatsApp Web inbox: URL, secret, events. " \
       "Add ,force to replace a webhook that points elsewhere"
  task :configure_gateway, %i[inbox_id force] => :environment do |_task, args|
    force = args[:force].to_s == "force"
    exit(1) unless WawebNative::Operators::Tasks.configure_gateway(args[:inbox_id], force: force)
  end

  desc "Print the link of the setup page, where an administrator adds a WhatsApp Web inbox"
  task setup_url: :environment do
    url = WawebNative.setup_page_url
    puts "#{url}?token=<your access token>"
    puts "# Chatwoot > Profile settings > Access token. Only administrators can open it; it is built on FRONTEND_URL."
  end
end

# Chatwoot's first-install task, db:chatwoot_prepare, loads db/schema.rb (which cannot know
# the gem's tables) and then seeds; db:seed aborts while any migration is pending. So the
# gem's own migrations run first; on an installed Chatwoot none is pending and this is a no-op.
namespace :waweb do
  task migrate_own: "db:load_config" do
    context = ActiveRecord::MigrationContext.new(WawebNative::Engine.paths["db/migrate"].existent)
    context.migrate if context.needs_migration?
  end
end
Rake::Task["db:seed"].enhance(["waweb:migrate_own"]) if Rake::Task.task_defined?("db:seed")

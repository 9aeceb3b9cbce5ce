# frozen_string_literal: true

# rubocop:disable RSpec/Output -- a command-line program that lives beside the test host, not a spec

# The main job, end to end, on embedded defaults (run through bin/demo):
# the Chatwoot-shaped test host on SQLite and Puma, jobs on Sidekiq (Redis at REDIS_URL)
# or inline, the fake gateway on loopback; a whatsapp_web inbox created through the HTTP
# API, connected by QR, webhooks of every kind delivered signed, an agent's replies sent.
# Each step checks the records it should have made; the exit status is 0 only if all did.
# Options: --serve keeps the host and the fake gateway running afterwards (Ctrl-C stops).

ENV.delete("DATABASE_URL") # SQLite: spec/dummy/db/development.sqlite3
ENV["RAILS_ENV"] = "development"
SERVE = ARGV.include?("--serve")
$stdout.sync = true # a transcript, also when piped or redirected

require "json"
require "net/http"
require "stringio"
require "redis-client"

def redis_reachable?(url)
  return false if url.to_s.empty?

  RedisClient.new(url: url, connect_timeout: 0.5).call("PING") == "PONG"
rescue StandardError
  false
end
USE_SIDEKIQ = redis_reachable?(ENV.fetch("REDIS_URL", nil))

# Chatwoot keeps some state in Redis (e.g. reauthorization flags), so the host needs one even
# when jobs run inline: without a reachable REDIS_URL, a private redis-server (installed by
# bin/setup) runs on a free loopback port for the length of the demo.
unless USE_SIDEKIQ
  require "socket"
  redis_pid = nil
  at_exit do
    Process.kill("TERM", redis_pid)
    Process.wait(redis_pid)
  rescue SystemCallError, TypeError
    nil
  end
  # Another program may take the free port before redis-server binds it: it then exits
  # and starts again on another one.
  3.times do
    port = TCPServer.new("127.0.0.1", 0).then { |s| s.addr[1].tap { s.close } }
    redis_pid = Process.spawn("redis-server", "--port", port.to_s, "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no", out: File::NULL, err: File::NULL)
    url = ENV["REDIS_URL"] = "redis://127.0.0.1:#{port}/0"
    50.times do
      break if redis_reachable?(url) || Process.waitpid(redis_pid, Process::WNOHANG)

      sleep 0.1
    end
    break if redis_reachable?(url)
  end
end

db = File.expand_path("../db/development.sqlite3", __dir__)
Dir.glob("#{db}*").each { |f| File.delete(f) } # a fresh database every run

require_relative "../config/environment"
require_relative "../../support/fake_gateway"
require_relative "../../support/gateway_json"
require_relative "../../support/script_http"
Sidekiq.default_configuration.logger = Rails.logger

# The host's development log goes to a file: the transcript is what this script prints.
if Rails.logger.respond_to?(:broadcasts)
  Rails.logger.broadcasts.dup.each { |logger| Rails.logger.stop_broadcasting_to(logger) }
  Rails.logger.broadcast_to(ActiveSupport::Logger.new(Rails.root.join("log/demo.log")))
end

# Inline jobs; a job "in 2 seconds" (Chatwoot's delay for attachments, which reach the storage
# only after commit) runs after its delay on a thread of its own, as Sidekiq's scheduler would.
class DemoInlineAdapter < ActiveJob::QueueAdapters::InlineAdapter
  def enqueue_at(job, timestamp)
    Thread.new do
      sleep([timestamp - Time.now.to_f, 0].max)
      Rails.application.executor.wrap { enqueue(job) }
    end
  end
end

# Prints one line per step with its duration; remembers failures for the exit status.
class Transcript
  def initialize
    @failures = []
    @started = monotonic
  end

  def step(title)
    started = monotonic
    detail = yield
    puts format("  ok  %<ms>6.0f ms  %<title>s%<detail>s", ms: (monotonic - started) * 1000, title: title,
                                                           detail: detail ? " — #{detail}" : "")
  rescue StandardError => e
    @failures << title
    puts format("  FAIL %<ms>5.0f ms  %<title>s — %<error>s", ms: (monotonic - started) * 1000, title: title,
                                                              error: "#{e.class}: #{e.message}")
  end

  def note(text) = puts("        #{text}")
  def section(text) = puts("\n#{text}")
  def ok? = @failures.empty?
  attr_reader :failures

  def total_seconds = monotonic - @started

  private

  def monotonic = Process.clock_gettime(Process::CLOCK_MONOTONIC)
end

class DemoFailure < StandardError; end

def check(condition, message)
  raise DemoFailure, message unless condition
end

# Waits for a background job's result (Sidekiq mode); inline mode is done at once.
def wait_for(what, timeout: 20)
  deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + timeout
  loop do
    value = yield
    return value if value
    raise DemoFailure, "timed out waiting for #{what}" if Process.clock_gettime(Process::CLOCK_MONOTONIC) > deadline

    sleep 0.05
  end
end

# The outgoing message once the gateway gave it an id; fails fast with the agent's error text.
def sent?(message)
  message.reload
  raise DemoFailure, "the send failed: #{message.content_attributes['external_error']}" if message.failed?

  message.source_id.present?
end

def stored?(file)
  file.attached? && file.service.exist?(file.key)
end

def json_of(response)
  JSON.parse(response.body)
end

t = Transcript.new
puts "waweb_native demo — #{Time.now.utc.iso8601}"
t.section("Setting up")

t.step("database") do
  ActiveRecord::Schema.verbose = false
  ActiveRecord::Migration.verbose = false
  load Rails.root.join("db/schema.rb").to_s
  ActiveRecord::MigrationContext.new(WawebNative::Engine.paths["db/migrate"].existent).migrate
  check(ActiveRecord::Base.connection.table_exists?(:waweb_processed_events), "the gem's migration did not run")
  "SQLite #{Pathname(db).relative_path_from(Pathname(Dir.pwd))}, Chatwoot's tables + the gem's migration"
end

sidekiq = nil
t.step("jobs") do
  if USE_SIDEKIQ
    Sidekiq.redis { |r| r.call("FLUSHDB") }
    sidekiq = Sidekiq.configure_embed do |config|
      config.queues = %w[critical high medium default low scheduled_jobs purgable]
      config.concurrency = 3
      config[:poll_interval_average] = 0.5 # scheduled jobs (the attachment delay) promptly
      config.logger = Rails.logger
    end
    sidekiq.run
    "Sidekiq on Redis #{ENV.fetch('REDIS_URL')} (embedded, 3 threads)"
  else
    ActiveJob::Base.queue_adapter = DemoInlineAdapter.new
    "ActiveJob inline; a private Redis for the host's own state (set REDIS_URL to use Sidekiq)"
  end
end

require "puma"
require "puma/server"
puma = Puma::Server.new(Rails.application, nil, min_threads: 1, max_threads: 4, log_writer: Puma::LogWriter.null)
puma.add_tcp_listener("127.0.0.1", Integer(ENV.fetch("WAWEB_DEMO_PORT", "0")))
host = "http://127.0.0.1:#{puma.connected_ports.first}"
ENV["FRONTEND_URL"] = host # Chatwoot's public URL: the webhook URL is built on it
t.step("host") do
  puma.run
  refused = ScriptHttp.request(:get, "#{host}/api/v1/accounts/1/inboxes/1").code == "401"
  check(refused, "the host did not refuse a request without a token")
  "Chatwoot-shaped test host on Puma at #{host}"
end

gateway = FakeGateway.start(logged_in: false, username: "gowa")
t.step("gateway") { "fake go-whatsapp-web-multidevice at #{gateway.url} (WhatsApp logged out)" }

account = admin = agent = nil
t.step("account and users") do
  account = Account.create!(name: "Demo Inc")
  admin = User.create!(name: "Ada Admin", email: "ada@example.com")
  agent = User.create!(name: "Alan Agent", email: "alan@example.com")
  AccountUser.create!(account: account, user: admin, role: :administrator)
  AccountUser.create!(account: account, user: agent, role: :agent)
  check(admin.access_token&.token.present?, "no access token for the admin")
  "account #{account.id}, administrator #{admin.email} and agent #{agent.email}, each with an API token"
end
admin_headers = { "api_access_token" => admin.access_token.token }

t.section("Creating and connecting the inbox through the HTTP API")
inbox = nil
api = nil
slot = nil
t.step("POST /api/v1/accounts/#{account.id}/whatsapp_web/inboxes (the setup page's API)") do
  inboxes_url = "#{host}/api/v1/accounts/#{account.id}/whatsapp_web/inboxes"
  response = ScriptHttp.request(:post, inboxes_url, headers: admin_headers, json: {
                                  name: "WhatsApp (demo)", phone_number: "+6289600000001", api_base_url: gateway.url,
                                  basic_auth_username: gateway.username, basic_auth_password: gateway.password
                                })
  check(response.code == "201", "HTTP #{response.code}: #{response.body}")
  created = json_of(response)
  inbox = Inbox.find(created["inbox_id"])
  check(inbox.channel.provider == "whatsapp_web", "provider is #{inbox.channel.provider}")
  check(inbox.inbox_members.exists?(user_id: admin.id), "the administrator is not a member of the inbox")
  secret = inbox.channel.provider_config["webhook_verify_token"].to_s
  check(secret.match?(/\A\h{32}\z/), "no generated webhook secret")
  check(created.dig("gateway", "configured") == true, "the gateway was not configured: #{created['gateway'].inspect}")
  slot = created.dig("gateway", "device_id")
  api = "#{host}/api/v1/accounts/#{account.id}/inboxes/#{inbox.id}/whatsapp_web"
  "inbox #{inbox.id}, administrator as member, webhook secret generated; gateway device #{slot} configured"
end

t.step("the gateway's device webhook points at the inbox (no flags to copy)") do
  hook = gateway.device_webhook(slot)
  check(hook["webhook_url"] == "#{host}/webhooks/whatsapp_web/6289600000001", "webhook_url is #{hook['webhook_url']}")
  check(hook["webhook_secret"] == inbox.channel.reload.provider_config["webhook_verify_token"], "another secret")
  "#{hook['webhook_url']}, the inbox's own secret, events #{hook['webhook_events']}"
end

t.step("agents may not manage the connection") do
  response = ScriptHttp.request(:post, "#{api}/login", headers: { "api_access_token" => agent.access_token.token })
  check(response.code == "403", "an agent got HTTP #{response.code}")
  "POST .../whatsapp_web/login as the agent: 403"
end

webhook_url = nil
t.step("GET .../whatsapp_web/status") do
  status = json_of(ScriptHttp.request(:get, "#{api}/status", headers: admin_headers))
  check(status["logged_in"] == false, "expected logged out, got #{status.inspect}")
  check(status["webhook_secret_default"] == false, "the secret is the gateway default")
  check(status["gateway_configured"] == true, "status says: #{status['gateway_configuration']}")
  webhook_url = status["webhook_url"]
  "not logged in yet; #{status['gateway_configuration']}"
end

t.step("POST .../whatsapp_web/login (QR code)") do
  qr = json_of(ScriptHttp.request(:post, "#{api}/login", headers: admin_headers))
  png = qr["data_url"].to_s.delete_prefix("data:image/png;base64,").unpack1("m")
  check(png.start_with?("\x89PNG".b), "the QR is not a PNG")
  check(qr["expires_in"].to_i.positive?, "no expiry")
  "a #{png.bytesize}-byte PNG data URL, renewed in #{qr['expires_in']} s"
end

t.step("the phone scans the QR code") do
  gateway.scan!(slot, "6289600000001") # what WhatsApp does when the code is scanned
  status = json_of(ScriptHttp.request(:get, "#{api}/status", headers: admin_headers))
  check(status["logged_in"] == true, "status did not flip: #{status.inspect}")
  "status: logged in as #{status['device_id']}"
end

t.step("rake waweb:doctor[#{inbox&.id}]") do
  out = StringIO.new
  ok = WawebNative::Operators::Tasks.doctor(inbox.id, out: out)
  check(ok, "doctor failed:\n#{out.string}")
  "#{out.string.scan(/^\s+\[OK  \]/).size} checks passed"
end

t.section("The gateway delivers signed webhooks")
# Where and how the gateway signs: the device webhook the gem configured.
secret = gateway.device_webhook(slot)["webhook_secret"]
webhook_url = gateway.device_webhook(slot)["webhook_url"]
customer = "628123456789@s.whatsapp.net"
device = "6289600000001@s.whatsapp.net"
media_bytes = FakeGateway.png
gateway.add_media("1754000000-demo.png", media_bytes)
common = { chat_id: customer, from: customer, from_name: "John Doe", is_from_me: false,
           timestamp: Time.now.utc.iso8601 }
deliver = lambda do |event, payload, signed: true|
  body = GatewayJson.generate({ event: event, device_id: device, payload: payload })
  headers = signed ? { "X-Hub-Signature-256" => WawebNative::Signature.sign(secret, body) } : {}
  ScriptHttp.request(:post, webhook_url, json: body, headers: headers)
end
delivered = lambda do |event, payload|
  response = deliver.call(event, payload)
  check(response.code == "200", "the webhook got HTTP #{response.code}")
end
msg = ->(source_id) { Message.find_by(inbox_id: inbox.id, source_id: source_id) }

t.step("a forged webhook (no signature) is refused") do
  response = deliver.call("message", common.merge(id: "3EB0FORGED", body: "forged"), signed: false)
  check(response.code == "401", "HTTP #{response.code}")
  check(msg.call("3EB0FORGED").nil?, "the forged message was stored")
  "HTTP 401, nothing stored"
end

t.step("text") do
  delivered.call("message", common.merge(id: "3EB0A1", body: "Hello Chatwoot"))
  m = wait_for("the text message") { msg.call("3EB0A1") }
  check(m.incoming? && m.content == "Hello Chatwoot", "wrong message #{m.attributes.inspect}")
  check(m.sender.is_a?(Contact) && m.sender.phone_number == "+628123456789", "wrong contact")
  "incoming message from #{m.sender.name} (#{m.sender.phone_number}) in conversation #{m.conversation_id}"
end

t.step("image with caption") do
  delivered.call("message", common.merge(id: "3EB0B1", body: "Check this!",
                                         image: { path: "statics/media/1754000000-demo.png", caption: "Check this!" }))
  m = wait_for("the image message") { msg.call("3EB0B1")&.then { |x| x.attachments.any? ? x : nil } }
  attachment = m.attachments.first
  # ActiveStorage uploads the file after the commit that made the row visible (Chatwoot's
  # readers come later, by URL): a reader this early waits for the upload.
  wait_for("the image in the storage") { stored?(attachment.file) }
  check(attachment.file_type == "image" && attachment.file.download == media_bytes, "the image was not stored")
  "image attachment (#{attachment.file.byte_size} bytes, fetched from the gateway), caption \"#{m.content}\""
end

t.step("reply") do
  delivered.call("message", common.merge(id: "3EB0A2", body: "yes, that one", replied_to_id: "3EB0A1",
                                         quoted_body: "Hello Chatwoot"))
  m = wait_for("the reply") { msg.call("3EB0A2") }
  check(m.content_attributes["in_reply_to"] == msg.call("3EB0A1").id, "not linked to the quoted message")
  "linked to message #{m.content_attributes['in_reply_to']}"
end

t.step("reaction") do
  delivered.call("message.reaction", common.merge(id: "3EB0D1", reaction: "👍", reacted_message_id: "3EB0A1"))
  wait_for("the reaction") { msg.call("3EB0A1")&.content_attributes&.dig("reactions") == { "628123456789" => "👍" } }
  conversation_id = msg.call("3EB0A1").conversation_id
  line = wait_for("the reaction's activity line") { Message.activity.where(conversation_id: conversation_id).last }
  check(line.content_attributes["in_reply_to"] == msg.call("3EB0A1").id, "the activity line does not quote the message")
  "👍 on \"Hello Chatwoot\"; agents see \"#{line.content}\""
end

t.step("edit") do
  delivered.call("message.edited", common.merge(id: "3EB0D4", original_message_id: "3EB0A1",
                                                body: "Hello Chatwoot (edited)"))
  m = wait_for("the edit") do
    msg.call("3EB0A1")&.then { |x| x.content_attributes["bare_content"] == "Hello Chatwoot (edited)" ? x : nil }
  end
  check(m.content.end_with?("✏️ Edited"), "the message does not say it was edited")
  "now \"#{m.content_attributes['bare_content']}\" marked edited (was \"#{m.content_attributes['previous_content']}\")"
end

t.step("revoke") do
  delivered.call("message.revoked", common.merge(id: "3EB0D3", revoked_message_id: "3EB0A2", revoked_chat: customer,
                                                 revoked_from_me: false))
  m = wait_for("the revoke") { msg.call("3EB0A2")&.then { |x| x.content_attributes["deleted"] == true ? x : nil } }
  check(m.content.start_with?("🚫") && m.content.include?("It said: “yes, that one”"), "the deleted text is not shown")
  "the reply is marked deleted, its text quoted under the note"
end

t.step("group message") do
  group = "120363025246125486@g.us"
  delivered.call("message", common.merge(id: "3EB0A6", chat_id: group, body: "hello group"))
  m = wait_for("the group message") { msg.call("3EB0A6") }
  check(m.conversation.contact.identifier == group, "not in the group's conversation")
  check(m.conversation_id != msg.call("3EB0A1").conversation_id, "mixed with the private chat")
  "conversation #{m.conversation_id} for group \"#{m.conversation.contact.name}\", sent by #{m.sender.name}"
end

t.section("An agent replies (SendReplyJob -> provider -> gateway)")
conversation = msg.call("3EB0A1")&.conversation
outgoing = []
t.step("text reply") do
  gateway.clear_requests
  m = Message.create!(account: account, inbox: inbox, conversation: conversation, message_type: :outgoing,
                      content: "Hi John, how can we help?", sender: agent)
  wait_for("the send") { sent?(m) }
  sent = gateway.requests.find { |r| r.path == "/send/message" }
  check(sent&.json == { "phone" => customer, "message" => "Hi John, how can we help?" }, "wrong gateway request")
  outgoing << m
  "POST /send/message, WhatsApp id #{m.source_id}"
end

t.step("image reply") do
  gateway.clear_requests
  m = Message.new(account: account, inbox: inbox, conversation: conversation, message_type: :outgoing,
                  content: "Here is the form", sender: agent)
  m.attachments.new(account: account, file_type: :image)
   .file.attach(io: StringIO.new(media_bytes), filename: "form.png", content_type: "image/png", identify: false)
  m.save!
  wait_for("the send") { sent?(m) }
  sent = gateway.requests.find { |r| r.path == "/send/image" }
  check(sent && sent.files.first&.bytes == media_bytes, "the image did not reach the gateway")
  check(sent.fields == { "phone" => customer, "caption" => "Here is the form" }, "wrong fields #{sent.fields}")
  outgoing << m
  "POST /send/image (multipart, #{media_bytes.bytesize} bytes), WhatsApp id #{m.source_id}"
end

t.step("receipts: delivered, then read") do
  ids = outgoing.map(&:source_id)
  receipt = ->(type) { { chat_id: customer, from: customer, ids: ids, receipt_type: type } }
  delivered.call("message.ack", receipt.call("delivered"))
  wait_for("delivered") { outgoing.all? { |m| m.reload.delivered? } }
  delivered.call("message.ack", receipt.call("read"))
  wait_for("read") { outgoing.all? { |m| m.reload.read? } }
  "both replies: sent -> delivered -> read"
end

t.section("What the agent does reaches the phone (read, typing, delete) and the contact looks as on the phone")
agent_headers = { "api_access_token" => agent.access_token.token }
chat_api = "#{host}/api/v1/accounts/#{account.id}/conversations/#{conversation&.display_id}"
calls = ->(path) { gateway.requests.select { |r| r.path.match?(path) }.map { |r| [r.path, r.json] } }

t.step("the agent opens the chat: read ticks") do
  gateway.clear_requests
  response = ScriptHttp.request(:post, "#{chat_api}/update_last_seen", headers: agent_headers)
  check(response.code == "200", "update_last_seen got HTTP #{response.code}")
  ids = conversation.messages.incoming.where.not(source_id: nil).order(:id).pluck(:source_id)
  wanted = ids.map { |id| ["/message/#{id}/read", { "phone" => customer }] }
  wait_for("the read receipts") { calls.call(%r{/read\z}) == wanted }
  ScriptHttp.request(:post, "#{chat_api}/update_last_seen", headers: agent_headers)
  sleep 0.5
  check(calls.call(%r{/read\z}) == wanted, "a message was marked read twice")
  "POST /message/:id/read for #{ids.join(', ')}, once each"
end

t.step("the agent types: typing... on the phone") do
  gateway.clear_requests
  presence = -> { calls.call(%r{/chat-presence\z}).map { |_, json| json["action"] } }
  typing_url = "#{chat_api}/toggle_typing_status"
  typing = ->(body) { ScriptHttp.request(:post, typing_url, headers: agent_headers, json: body) }
  2.times { typing.call(typing_status: "on") }
  wait_for("typing start") { presence.call == ["start"] }
  typing.call(typing_status: "on", is_private: true)
  typing.call(typing_status: "off")
  wait_for("typing stop") { presence.call == %w[start stop] }
  "POST /send/chat-presence start (once for two typing_on), stop on typing_off; nothing for a private note"
end

t.step("the agent deletes a reply: revoked for everyone") do
  reply = outgoing.first
  gateway.clear_requests
  response = ScriptHttp.request(:delete, "#{chat_api}/messages/#{reply.id}", headers: agent_headers)
  check(response.code == "200", "DELETE got HTTP #{response.code}")
  check(reply.reload.content == "This message was deleted", "not deleted in Chatwoot")
  revoke = ["/message/#{reply.source_id}/revoke", { "phone" => customer }]
  wait_for("the revoke") { calls.call(%r{/revoke\z}) == [revoke] }
  check(reply.reload.content_attributes["external_error"].nil?, reply.content_attributes["external_error"].to_s)
  "POST /message/#{reply.source_id}/revoke; deleted in Chatwoot too"
end

t.step("a contact with a picture") do
  contact = msg.call("3EB0A1").sender
  wait_for("the avatar") { contact.reload.avatar.attached? }
  check(contact.avatar.download == FakeGateway.png, "not the WhatsApp picture")
  "#{contact.name}'s WhatsApp picture (#{contact.avatar.byte_size} bytes) is the contact's avatar"
end

if USE_SIDEKIQ
  t.step("no job failed") do
    require "sidekiq/api"
    retries = Sidekiq::RetrySet.new.map { |j| "#{j.display_class}: #{j['error_class']}: #{j['error_message']}" }
    dead = Sidekiq::DeadSet.new.map { |j| "#{j.display_class}: #{j['error_class']}" }
    check(retries.empty? && dead.empty?, "failed jobs: #{(retries + dead).join('; ')}")
    "Sidekiq's retry and dead sets are empty"
  end
end

page = "#{host}/whatsapp_web/inboxes/#{inbox&.id}/connect?token=#{admin.access_token.token}"
verdict = t.ok? ? "every step verified" : "FAILED: #{t.failures.join(', ')}"
t.section("Done in #{t.total_seconds.round(1)} s: #{verdict}")
puts "  records: #{Contact.count} contacts, #{Conversation.count} conversations, #{Message.count} messages, " \
     "#{Attachment.count} attachments"
puts "  connection page: #{page}"
puts "  setup page (add another number): #{host}/whatsapp_web/setup?token=#{admin.access_token.token}"
puts "  gateway flags for this inbox: rake waweb:webhook_url[#{inbox&.id}] (prints the secret)"
if SERVE
  puts "  serving until Ctrl-C (the fake gateway too)"
  begin
    sleep
  rescue Interrupt
    nil
  end
else
  puts "  (run bin/demo --serve to keep the host running and open that page)"
end

puma.stop(true)
sidekiq&.stop
gateway.stop
exit(t.ok? ? 0 : 1)
# rubocop:enable RSpec/Output

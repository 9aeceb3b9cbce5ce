# frozen_string_literal: true

# Target: uploading a 200 MB video grows the Ruby process's peak RSS by < 32 MB
# (WawebNative::Gateway::Client#post_multipart streams the part from disk), against
# HTTParty's multipart (the seed's way), which builds the whole body in memory.
#
# The fake gateway runs in a forked child so its parsing never counts; each upload runs
# in its own fork of this process, whose peak RSS (VmHWM) is reset through
# /proc/self/clear_refs just before the upload, so "growth" is VmHWM after - VmRSS before.
#
# With DATABASE_URL and REDIS_URL set (bin/test's services), the provider path is measured
# too: Whatsapp::Providers::WhatsappWebService#send_message of a Chatwoot message whose
# 90 MB video (under the gateway's 100 MB video cap) sits in ActiveStorage's Disk service.
require_relative "bench_helper"
require_relative "../spec/support/fake_gateway"
require "httparty"
require "tmpdir"

module UploadBench
  SIZE_MB = Integer(ENV.fetch("UPLOAD_BENCH_MB", "200"))
  TARGET_MB = 32

  # The real gateway caps videos at 100 MB; this one accepts any size so the bench gets a 200.
  class SizelessGateway < FakeGateway
    private

    def media_problem(*) = nil
  end

  module_function

  def status_kb(field)
    File.read("/proc/self/status")[/^#{field}:\s+(\d+)/, 1].to_i
  end

  def reset_peak
    File.write("/proc/self/clear_refs", "5")
  end

  # Runs the block in a fork; returns [peak growth in kB, seconds, result string].
  def measure_in_child
    reader, writer = IO.pipe
    [reader, writer].each(&:binmode) # Marshal bytes, whatever Encoding.default_internal says
    pid = fork do
      reader.close
      GC.start
      reset_peak
      before = status_kb("VmRSS")
      started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
      result = yield
      elapsed = Process.clock_gettime(Process::CLOCK_MONOTONIC) - started
      writer.write(Marshal.dump([status_kb("VmHWM") - before, elapsed, result.to_s]))
      writer.close
      exit!(0)
    end
    writer.close
    data = reader.read
    Process.wait(pid)
    raise "measuring child failed" if data.empty?

    Marshal.load(data) # rubocop:disable Security/MarshalLoad -- our own child's output
  end

  def start_gateway
    reader, writer = IO.pipe
    pid = fork do
      reader.close
      gateway = SizelessGateway.start(password: "bench-secret")
      writer.puts(gateway.url)
      writer.close
      sleep
    end
    writer.close
    url = reader.gets.to_s.strip
    [pid, url]
  end

  def make_video(dir, megabytes = SIZE_MB)
    path = File.join(dir, "big-#{megabytes}.mp4")
    chunk = Random.new(42).bytes(1024 * 1024)
    File.open(path, "wb") { |f| megabytes.times { f.write(chunk) } }
    path
  end

  def native_upload(url, path)
    client = WawebNative::Gateway::Client.new(base_url: url, username: "gowa", password: "bench-secret",
                                              timeout: 300)
    response = client.post_multipart("/send/video", { "phone" => "6281234567890", "caption" => "bench" },
                                     [{ name: "video", path: path, filename: "big.mp4", content_type: "video/mp4" }])
    "HTTP #{response.status}"
  end

  def httparty_upload(url, path)
    File.open(path, "rb") do |file|
      response = HTTParty.post("#{url}/send/video", basic_auth: { username: "gowa", password: "bench-secret" },
                                                    body: { phone: "6281234567890", caption: "bench", video: file },
                                                    multipart: true, timeout: 300)
      "HTTP #{response.code}"
    end
  end

  def run
    Dir.mktmpdir("waweb-upload-bench") do |dir|
      path = make_video(dir)
      gateway_pid, url = start_gateway
      begin
        native = measure_in_child { native_upload(url, path) }
        reference = measure_in_child { httparty_upload(url, path) }
        report(native, reference)
        ProviderPath.run(url, dir) if ENV["DATABASE_URL"] && ENV["REDIS_URL"]
      ensure
        Process.kill("TERM", gateway_pid)
        Process.wait(gateway_pid)
      end
    end
  end

  # native, reference: [peak growth kB, seconds, status] each.
  def report(native, reference, size: SIZE_MB, name: "post_multipart")
    native_mb = native[0] / 1024.0
    ref_mb = reference[0] / 1024.0
    line(name, native_mb, native[1], native[2], size)
    line("HTTParty", ref_mb, reference[1], reference[2], size)
    puts format("RSS growth ratio HTTParty/native: %<ratio>.1fx; target < %<target>d MB: %<verdict>s",
                ratio: ref_mb / [native_mb, 0.1].max, target: TARGET_MB,
                verdict: native_mb < TARGET_MB ? "met" : "MISSED")
  end

  def line(name, megabytes, seconds, status, size)
    puts format("upload %<size>d MB video, %<name>-15s peak RSS growth %<mb>7.1f MB in %<s>5.2f s (%<status>s)",
                size: size, name: name, mb: megabytes, s: seconds, status: status)
  end

  # The same measure through the Chatwoot-shaped host: a committed message with the video
  # in ActiveStorage, sent by the provider service in a forked child. Its rows and blob are
  # removed afterwards.
  module ProviderPath
    SIZE_MB = 90

    module_function

    def run(url, dir)
      load_host
      path = UploadBench.make_video(dir, SIZE_MB)
      message = build_message(url, path)
      to = message.conversation.contact_inbox.source_id
      native = UploadBench.measure_in_child { provider_send(to, message.id) }
      reference = UploadBench.measure_in_child { UploadBench.httparty_upload(url, path) }
      UploadBench.report(native, reference, size: SIZE_MB, name: "send_message")
    ensure
      cleanup(message)
    end

    def provider_send(to, message_id)
      ActiveRecord::Base.connection_pool.disconnect! # the parent's socket is not ours to use
      message = Message.find(message_id)
      id = message.inbox.channel.provider_service.send_message(to, message)
      id ? "message_id #{id}" : "failed: #{message.reload.content_attributes['external_error']}"
    end

    def load_host
      ENV["RAILS_ENV"] ||= "test"
      require_relative "../spec/dummy/config/environment"
      Sidekiq.default_configuration.logger.level = Logger::WARN
      unless ActiveRecord::Base.connection.table_exists?(:messages)
        load File.expand_path("../spec/dummy/db/schema.rb", __dir__)
      end
      # The gem's own tables: the sender records each delivered part in its ledger.
      ActiveRecord::Migration.verbose = false
      ActiveRecord::MigrationContext.new(WawebNative::Engine.paths["db/migrate"].existent).migrate
    end

    def build_message(url, path)
      account = Account.create!(name: "upload bench")
      config = { "api_base_url" => url, "basic_auth_username" => "gowa", "basic_auth_password" => "bench-secret",
                 "timeout" => "300" }
      channel = Channel::Whatsapp.create!(account: account, provider: "whatsapp_web", provider_config: config,
                                          phone_number: "+19990#{rand(10**9)}")
      inbox = Inbox.create!(account: account, channel: channel, name: "bench")
      contact = Contact.create!(account: account, name: "bench", phone_number: "+5511987654321")
      contact_inbox = ContactInbox.create!(contact: contact, inbox: inbox, source_id: "5511987654321")
      conversation = Conversation.create!(account: account, inbox: inbox, contact: contact,
                                          contact_inbox: contact_inbox)
      # :incoming so that saving it queues no SendReplyJob; the provider does not look at the type.
      message = Message.new(account: account, inbox: inbox, conversation: conversation, message_type: :incoming,
                            content: "bench video", sender: contact)
      attachment = message.attachments.new(account: account, file_type: :video)
      File.open(path, "rb") do |io| # read when the record is saved
        attachment.file.attach(io: io, filename: "big.mp4", content_type: "video/mp4")
        message.save!
      end
      message
    end

    def cleanup(message)
      return unless message

      message.attachments.each { |a| a.file.purge }
      account = message.account
      ContactInbox.where(inbox_id: message.inbox_id).delete_all
      [Attachment, Message, Conversation, Contact, Inbox, Channel::Whatsapp].each do |model|
        model.where(account_id: account.id).delete_all
      end
      account.delete
    end
  end
end

UploadBench.run

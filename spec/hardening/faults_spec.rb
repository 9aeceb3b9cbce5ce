# frozen_string_literal: true

require_relative "../inbound/inbound_helper"

# Faults around the gem: a misbehaving gateway on outbound sends, Redis going away under
# the webhook endpoint, PostgreSQL restarting under queued jobs. Real processes and real
# queues throughout; only the WhatsApp network is faked (FakeGateway).
RSpec.describe "Faults", :inbound do
  let(:body) { InboundBodies }

  describe "outbound sends against a failing gateway (SendReplyJob through Sidekiq)" do
    let(:gateway) { FakeGateway.start }
    let(:inbox) { create_web_inbox(gateway: gateway, phone_number: "+6289600000055") }
    let!(:conversation) { create_conversation(inbox: inbox) } # before a failure is armed: saving asks the gateway

    after do
      gateway.release_hung
      gateway.stop
    end

    def failed_jobs = Sidekiq::RetrySet.new.size + Sidekiq::DeadSet.new.size

    {
      refuse: "Cannot connect to the WhatsApp gateway at %<url>s.",
      server_error: "something went wrong in the gateway",
      malformed_json: /\AThe gateway answered HTTP 200 with malformed JSON/
    }.each do |mode, sentence|
      it "#{mode}: the message ends failed with its sentence and the job finishes" do
        gateway.fail_next(mode)
        message = create_message(conversation: conversation, message_type: :outgoing, content: "to a broken gateway")
        expect(sidekiq_jobs("high").size).to eq(1)
        expect { drain_sidekiq }.not_to raise_error
        expect(failed_jobs).to eq(0)
        message.reload
        expect(message.status).to eq("failed")
        expected = sentence.is_a?(String) ? format(sentence, url: gateway.url) : sentence
        expect(message.content_attributes["external_error"]).to match(expected)
        expect(gateway.requests.count { |r| r.path.start_with?("/send/") }).to eq(1) # no blind resend
      end
    end

    context "with real Sidekiq worker threads", :truncation do
      it "hang: the send gives up after provider_config timeout; the worker is free again" do
        inbox.channel.update_columns(provider_config: inbox.channel.provider_config.merge("timeout" => "0.5"))
        gateway.fail_next(:hang, count: 2)
        messages = Array.new(2) do |i|
          create_message(conversation: conversation, message_type: :outgoing, content: "hung #{i}")
        end
        # The fake holds a hung request for 120 s: idle within 15 s means the client timed out.
        with_sidekiq_workers(threads: 1) { wait_for_sidekiq_idle(timeout: 15) }
        expect(sidekiq_worker_errors).to be_empty
        messages.each do |message|
          message.reload
          expect(message.status).to eq("failed")
          expect(message.content_attributes["external_error"])
            .to eq("Cannot connect to the WhatsApp gateway at #{gateway.url}.")
        end
      end
    end
  end

  describe "Redis down under the webhook endpoint" do
    let(:redis) { PrivateRedis.new.start }
    let(:inbox) { create_web_inbox }

    after { redis.stop }

    # Sidekiq (and so ActiveJob's adapter) use the private Redis in this thread while the block runs.
    def on_private_redis(&)
      pool = Sidekiq::RedisConnection.create(url: redis.url, size: 2, pool_timeout: 1)
      Sidekiq::Client.via(pool, &)
    ensure
      pool&.shutdown(&:close)
    end

    it "answers 503 while Redis is down (the gateway retries); after it is back nothing is lost or doubled" do
      first = body.text(id: "RDS1", from: "628123456789@s.whatsapp.net", body: "before")
      second = body.text(id: "RDS2", from: "628123456789@s.whatsapp.net", body: "during")
      on_private_redis do
        expect(post_webhook(inbox, first).status).to eq(200)
        drain_sidekiq

        redis.stop
        lines = LogCapture.during { expect(post_webhook(inbox, second).status).to eq(503) }
        expect(lines).to include("could not queue a webhook for channel #{inbox.channel.id}", "answered 503")
        expect(post_webhook(inbox, first).status).to eq(503) # a redelivery meets the same

        redis.start
        # The gateway's retries: the event refused with 503, and a late duplicate of the first.
        expect(post_webhook(inbox, second).status).to eq(200)
        expect(post_webhook(inbox, first).status).to eq(200)
        expect(events_queue_jobs.size).to eq(2)
        expect { drain_sidekiq }.not_to raise_error
      end
      expect(Message.order(:id).pluck(:source_id, :content)).to eq([%w[RDS1 before], %w[RDS2 during]])
      expect(record_counts).to include(contacts: 1, conversations: 1, messages: 2)
    end
  end

  describe "PostgreSQL restarting under queued jobs", :truncation do
    pg_bin = ENV.fetch("WAWEB_PG_BIN", nil)
    pg_data = ENV.fetch("WAWEB_PG_DATA", nil)
    controllable = pg_bin && pg_data && ENV.fetch("DATABASE_URL", "").start_with?("postgres") &&
                   File.exist?(File.join(pg_data.to_s, "PG_VERSION"))

    # bin/services starts the private cluster (and is a no-op for Redis, already up).
    def pg_ctl(*args)
      command = [File.join(ENV.fetch("WAWEB_PG_BIN"), "pg_ctl"), "-D", ENV.fetch("WAWEB_PG_DATA"), *args]
      command = ["runuser", "-u", "postgres", "--", *command] if Process.uid.zero?
      system(*command, out: File::NULL, err: File::NULL) or raise "pg_ctl #{args.first} failed"
    end

    def start_postgres
      env = { "WAWEB_PG_PORT" => URI(ENV.fetch("DATABASE_URL")).port.to_s,
              "WAWEB_REDIS_PORT" => URI(ENV.fetch("REDIS_URL")).port.to_s }
      system(env, File.expand_path("../../bin/services", __dir__), out: File::NULL, err: File::NULL) or
        raise "bin/services could not start PostgreSQL"
    end

    if controllable
      it "jobs raise while it is down, Sidekiq keeps them for retry, and the retries create each message once" do
        inbox = create_web_inbox
        raws = Array.new(3) { |i| body.text(id: "PG#{i}", from: "628123456789@s.whatsapp.net", body: "pg #{i}") }
        raws.each { |raw| expect(post_webhook(inbox, raw).status).to eq(200) }
        expect(events_queue_jobs.size).to eq(3)

        begin
          pg_ctl("stop", "-m", "fast", "-w")
          3.times { expect { drain_sidekiq }.to raise_error(ActiveRecord::ActiveRecordError) }
          expect(events_queue_jobs).to be_empty
          expect(Sidekiq::RetrySet.new.size).to eq(3)
        ensure
          start_postgres
        end

        Sidekiq::RetrySet.new.retry_all
        expect { drain_sidekiq }.not_to raise_error
        # The gateway may deliver again what already went through: still one message each.
        expect(post_webhook(inbox, raws.first).status).to eq(200)
        drain_sidekiq
        expect(Message.order(:source_id).pluck(:source_id)).to eq(%w[PG0 PG1 PG2])
        expect(Sidekiq::RetrySet.new.size + Sidekiq::DeadSet.new.size).to eq(0)
      end
    end
  end
end

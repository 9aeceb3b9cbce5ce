# frozen_string_literal: true

require "net/http"
require "json"
require "securerandom"
require "time"

module Compat
  module Chatwoot
    # WAWEB_COMPAT_BENCH=1: in the same run of real Chatwoot, N text messages from a signed
    # webhook to a committed Message (the gem's endpoint, then Chatwoot's Sidekiq) against
    # the same N messages created the way API-inbox bridges (Evolution API, WAHA, GOWA's
    # own sync) create them through Chatwoot's public REST API on an API channel inbox:
    # contact search or create, the contact's conversations or a new one, then the message.
    # Same customers, same threads (each customer on one thread, in order, as a gateway or
    # a bridge keeps a chat's order), both timed until the Message rows are counted.
    class Bench
      N = Integer(ENV.fetch("WAWEB_COMPAT_BENCH_N", "300"))
      THREADS = Integer(ENV.fetch("WAWEB_COMPAT_BENCH_THREADS", "8"))
      ROUNDS = Integer(ENV.fetch("WAWEB_COMPAT_BENCH_ROUNDS", "2")) # alternating which side goes first
      CUSTOMERS = [N / 10, 1].max # ten messages per customer
      DEVICE = "6289600000001@s.whatsapp.net"
      TITLES = { webhook: "the gem: signed webhooks to committed Message rows",
                 bridge: "a bridge: contact, conversation, message through the REST API" }.freeze

      def initialize(scenario)
        @s = scenario
        @t = scenario.t
        @tag = SecureRandom.hex(3).upcase
      end

      def run
        @t.section("Benchmark: #{N} messages, #{THREADS} client threads, #{CUSTOMERS} customers")
        @t.step("an API channel inbox (the bridges' inbox)") { api_inbox }
        @rates = Hash.new { |h, k| h[k] = [] }
        @idle_rates = Hash.new { |h, k| h[k] = [] }
        @profiles = []
        @floors = []
        ROUNDS.times do |round|
          @round = round
          sides = round.even? ? %i[webhook bridge] : %i[bridge webhook]
          sides.each { |side| @t.step("round #{round + 1}: #{TITLES[side]}") { timed(side) } }
        end
        @t.step("the ratio") { ratio }
      end

      private

      def api_inbox
        body = { name: "API bridge (bench)", channel: { type: "api", webhook_url: "" } }
        response = HttpClient.request(:post, "#{@s.host}/api/v1/accounts/#{@s.account_id}/inboxes",
                                      headers: @s.admin_headers, json: body)
        @t.check(response.code == "200", "HTTP #{response.code}: #{response.body[0, 300]}")
        @api_inbox = HttpClient.json(response)["id"]
        "inbox #{@api_inbox} (Channel::Api)"
      end

      def phone(customer) = "6285550#{format('%05d', customer)}"

      def text(index) = "bench #{@tag} round #{@round} message #{index}: #{'lorem ipsum ' * 6}".strip

      # Message i goes to customer i % CUSTOMERS; customer c to thread c % THREADS.
      def work_for(thread) = (0...N).select { |i| (i % CUSTOMERS) % THREADS == thread }

      def timed(path)
        inbox = path == :webhook ? @s.inbox_id : @api_inbox
        # Each side starts with Chatwoot's Sidekiq idle: the other side's listeners' jobs
        # (events, account webhooks) must not be billed to it.
        @s.wait_for("Chatwoot's Sidekiq to be idle", timeout: 600) { @s.probe.call("sidekiq_idle?") }
        before = messages(inbox)
        load_before = loadavg
        started = clock
        send_all(path)
        sent = clock - started
        @s.wait_for("#{N} Message rows in inbox #{inbox}", timeout: 600) { messages(inbox) >= before + N }
        elapsed = clock - started
        count = messages(inbox) - before
        @t.check(count == N, "#{count} Message rows, want #{N}")
        @rates[path] << (N / elapsed)
        load_after = loadavg
        settled = until_idle(path, started)
        format("%<n>d rows in %<e>.1f s (requests done at %<s>.1f s): %<r>.1f messages/s, load %<l1>s -> %<l2>s; " \
               "Sidekiq idle again at %<i>.1f s",
               n: N, e: elapsed, s: sent, r: @rates[path].last, l1: load_before, l2: load_after, i: settled)
      end

      # The second figure: until Chatwoot's Sidekiq has also run every follow-up job of the
      # side's messages (events, broadcasts, account webhooks, avatars), and what it cost.
      def until_idle(path, started)
        wall_from = Time.now.to_f - (clock - started)
        @s.wait_for("Chatwoot's Sidekiq to be idle", timeout: 600) { @s.probe.call("sidekiq_idle?") }
        settled = clock - started
        @idle_rates[path] << (N / settled)
        @profiles << ["round #{@round + 1} #{path}", BenchProfile.report(wall_from, Time.now.to_f, N)]
        @floors << BenchProfile.chatwoot_floor(wall_from, Time.now.to_f, N) if path == :webhook
        settled
      end

      def messages(inbox) = @s.probe.call("counts", inbox)["messages"]
      def clock = Process.clock_gettime(Process::CLOCK_MONOTONIC)

      def send_all(path)
        errors = Queue.new
        Array.new(THREADS) { |k| Thread.new { client(path, work_for(k), errors) } }.each(&:join)
        raise StepFailed, "#{errors.size} requests failed, first: #{errors.pop}" unless errors.empty?
      end

      def client(path, indices, errors)
        uri = URI(@s.host)
        Net::HTTP.start(uri.host, uri.port, read_timeout: 120) do |http|
          indices.each do |i|
            path == :webhook ? webhook(http, i) : bridge(http, i)
          rescue StandardError => e
            errors << "message #{i}: #{e.class}: #{e.message[0, 200]}"
          end
        end
      end

      def webhook(http, index)
        jid = "#{phone(index % CUSTOMERS)}@s.whatsapp.net"
        body = JSON.generate("device_id" => DEVICE, "event" => "message",
                             "payload" => { "body" => text(index), "chat_id" => jid, "from" => jid,
                                            "from_name" => "Bench #{index % CUSTOMERS}",
                                            "id" => "BENCH#{@tag}R#{@round}#{format('%05d', index)}",
                                            "is_from_me" => false,
                                            "timestamp" => Time.now.utc.iso8601 })
        req = Net::HTTP::Post.new(URI(@s.webhook_url))
        req["Content-Type"] = "application/json"
        req["X-Hub-Signature-256"] = HttpClient.signature(@s.secret, body)
        req.body = body
        expect(http.request(req), "webhook")
      end

      # What a bridge does per message: it remembers no ids between messages (Evolution API
      # and WAHA look the contact and conversation up for each one).
      def bridge(http, index)
        number = "+#{phone(index % CUSTOMERS)}"
        contact_id, source_id = find_or_create_contact(http, number, index)
        conversation_id = find_or_create_conversation(http, contact_id, source_id)
        api(http, :post, "conversations/#{conversation_id}/messages",
            { content: text(index), message_type: "incoming", source_id: "BENCH#{@tag}R#{@round}API#{index}" })
      end

      def find_or_create_contact(http, number, index)
        found = api(http, :get, "contacts/search?q=#{URI.encode_www_form_component(number)}")["payload"]
        contact = found.find { |c| c["phone_number"] == number }
        if contact
          ci = (contact["contact_inboxes"] || []).find { |x| x.dig("inbox", "id") == @api_inbox }
          return [contact["id"], ci&.dig("source_id")]
        end

        created = api(http, :post, "contacts", { inbox_id: @api_inbox, name: "Bench #{index % CUSTOMERS}",
                                                 phone_number: number })["payload"]
        [created.dig("contact", "id"), created.dig("contact_inbox", "source_id")]
      end

      def find_or_create_conversation(http, contact_id, source_id)
        list = api(http, :get, "contacts/#{contact_id}/conversations")["payload"]
        open = list.find { |c| c["inbox_id"] == @api_inbox && c["status"] == "open" }
        return open["id"] if open

        body = { inbox_id: @api_inbox, contact_id: contact_id }
        body[:source_id] = source_id if source_id
        api(http, :post, "conversations", body)["id"]
      end

      def api(http, method, path, body = nil)
        uri = URI("#{@s.host}/api/v1/accounts/#{@s.account_id}/#{path}")
        req = (method == :get ? Net::HTTP::Get : Net::HTTP::Post).new(uri)
        @s.admin_headers.each { |k, v| req[k] = v }
        if body
          req["Content-Type"] = "application/json"
          req.body = JSON.generate(body)
        end
        JSON.parse(expect(http.request(req), "#{method.upcase} #{path}").body)
      end

      def expect(response, what)
        raise "#{what}: HTTP #{response.code} #{response.body.to_s[0, 200]}" unless response.code.start_with?("2")

        response
      end

      def loadavg = File.read("/proc/loadavg").split.first(3).join(" ")

      def ratio
        webhook = @rates.fetch(:webhook).sum / @rates[:webhook].size
        bridge = @rates.fetch(:bridge).sum / @rates[:bridge].size
        summary = format("webhooks %<w>.1f messages/s, REST API bridge %<b>.1f messages/s (means): %<x>.2fx " \
                         "(rounds %<r>s; target >= 3x)", w: webhook, b: bridge, x: webhook / bridge,
                                                         r: per_round(@rates))
        puts "  BENCH #{summary}; load now #{loadavg}"
        puts "  BENCH until Sidekiq is idle again (every follow-up job done): rounds #{per_round(@idle_rates)}"
        ceiling(bridge)
        @profiles.each { |title, lines| puts "  PROFILE #{title}:", lines }
        summary
      end

      # How far any gem could go here: Chatwoot's own Sidekiq work per message that must run
      # before the burst's last message commits (BenchProfile.chatwoot_floor), in one Ruby
      # process (one thread runs at a time), against the bridge's measured rate.
      def ceiling(bridge)
        floors = @floors.compact
        return puts("  BENCH ceiling: no profile of the gem's events job") if floors.empty?

        floor = floors.sum { |f| f[:ms] } / floors.size
        gem = floors.sum { |f| f[:gem_ms] } / floors.size
        puts format("  BENCH ceiling: with the events job on `%<q>s`, Chatwoot's own Sidekiq work ahead of a " \
                    "message's commit is %<f>.1f ms per message (its Message save and callbacks, and its jobs " \
                    "in the queues served first); the gem's own is %<g>.1f ms. A gem costing nothing would " \
                    "still top out at %<r>.1f messages/s in one Sidekiq process: %<x>.2fx the bridge",
                    q: floors.first[:queue], f: floor, g: gem, r: 1000 / floor, x: 1000 / floor / bridge)
      end

      def per_round(rates) = rates[:webhook].zip(rates[:bridge]).map { |w, b| format("%.2fx", w / b) }.join(", ")
    end
  end
end

# frozen_string_literal: true

module Compat
  module Chatwoot
    # Chatwoot's own dashboard (built by DashboardBuild, served by its production Puma) in
    # Chromium, over what the gem stored (a Scenario mixin, WAWEB_COMPAT_DASHBOARD=1): a
    # customer's conversation with a reaction added, changed and removed, an edit and a
    # delete; the group with its senders; the inbox's settings; a reply sent from the
    # editor, checked on the fake gateway. Screenshots go to tmp/compat/dashboard/.
    module DashboardSteps
      include DashboardEvents
      include DashboardAppSteps

      SHOTS = File.join(Compat::PROJECT, "tmp/compat/dashboard")
      MARIA = DashboardEvents::MARIA
      MESSAGE_LIST = "ul.conversation-panel, [class*=conversation-panel], main"

      private

      def dashboard
        t.section("Chatwoot's dashboard in Chromium (WAWEB_COMPAT_DASHBOARD=1)")
        FileUtils.mkdir_p(SHOTS)
        FileUtils.rm_f(Dir[File.join(SHOTS, "*.png")]) # this run's only
        t.step("Maria: a reaction added/changed/removed on a reply, an edit, a delete") { maria_events }
        t.step("the group: a message from a member WhatsApp names no name for") { stranger_in_group }
        return unless t.step("Chromium (Debian's) driven by #{DashboardDriver::PLAYWRIGHT}") { chromium }

        begin
          dashboard_pages
        ensure
          @driver.stop
        end
      end

      def dashboard_pages
        t.step("log in as the administrator at /app/login") { dashboard_login }
        t.step("Maria's conversation: reaction lines, edited, deleted") { maria_shot }
        t.step("the group's conversation: every message names its sender") { group_shot }
        t.step("the inbox's settings page (Settings > Inboxes > the inbox)") { settings_shot }
        t.step("a reply typed in the editor and sent reaches the gateway") { editor_reply }
        dashboard_app
      end

      def chromium
        @driver = DashboardDriver.new(services, shots: SHOTS)
        "Chromium #{@driver.version}"
      end

      def app_url(path) = "#{host}/app/accounts/#{@account_id}/#{path}"
      def shot_path(name) = File.join(SHOTS, "#{name}.png")

      def dashboard_login
        left = probe.call("finish_onboarding")["onboarding"]
        t.check(left.nil?, "the installation onboarding flag stayed (#{left.inspect})")
        landed = @driver.call("login", url: "#{host}/app/login", email: @admin["email"], password: @admin["password"])
        t.check(landed["url"].start_with?("/app/accounts/#{@account_id}/"), "landed on #{landed['url']}")
        "installation onboarding finished (as its form does); landed on #{landed['url']}"
      end

      def shot(name, path, wait_for:, selector: MESSAGE_LIST)
        @driver.call("shot", url: app_url(path), path: shot_path(name), wait_for: wait_for, selector: selector)
      end

      def maria_shot
        lines = ["Maria Silva reacted 👍 to “Yes, from 9 to 12.”",
                 "Maria Silva changed the reaction on “Yes, from 9 to 12.” from 👍 to ❤️",
                 "Maria Silva removed the reaction ❤️ from “Yes, from 9 to 12.”",
                 "Maria Silva edited a message. Before: “I need 2 boxes” Now: “I need 3 boxes”",
                 "Maria Silva deleted a message on WhatsApp: “Call me at 5 pm”"]
        seen = shot("1-maria-reactions-edit-delete", "conversations/#{@maria_conversation}", wait_for: lines)
        text = seen["text"]
        t.check(text.include?("✏️ Edited"), "no “✏️ Edited”")
        t.check(text.include?("🚫 This message was deleted on WhatsApp. It said: “Call me at 5 pm”"), "no delete note")
        t.check(!text.match?(/_✏️|_This message|> Call/), "Markdown shown raw (in a bubble or a quote)")
        "5 activity lines, “✏️ Edited”, the deleted text with its note: #{shot_path('1-maria-reactions-edit-delete')}"
      end

      def group_shot
        seen = shot("2-group-sender-names", "conversations/#{@group_conversation}",
                    wait_for: ["Who is bringing the cake?", "hello group"])
        ["+628177700022", "John Doe"].each do |name|
          t.check(seen["bold"].include?(name), "#{name} not in bold (bold: #{seen['bold'].first(6)})")
        end
        t.check(!seen["text"].include?("**"), "Markdown shown raw")
        "senders in bold: John Doe, +628177700022: #{shot_path('2-group-sender-names')}"
      end

      def settings_shot
        seen = shot("3-inbox-settings", "settings/inboxes/#{inbox_id}", wait_for: ["Inbox Settings", "API Provider"],
                                                                        selector: "body")
        labels = seen["text"].lines.map(&:strip)
        tabs = %w[Settings Collaborators Configuration].map { |tab| "#{tab}: #{labels.include?(tab) ? 'yes' : 'no'}" }
        "tabs #{tabs.join(', ')}: #{shot_path('3-inbox-settings')}"
      end

      def editor_reply
        text = "Typed in the editor #{SecureRandom.hex(3)}" # no quote: Markdown would curl it
        gateway.clear_requests
        @driver.call("shot", url: app_url("conversations/#{@maria_conversation}"), path: shot_path("4-before-reply"),
                             wait_for: ["Call me at 5 pm"])
        @driver.call("reply", text: text)
        sent = wait_for("POST /send/message from the editor") do
          gateway.requests.find { |r| r.path == "/send/message" && r.json["message"] == text }
        end
        t.check(sent.json["phone"] == MARIA, "sent to #{sent.json['phone']}")
        @driver.call("shot", path: shot_path("4-reply-sent"), wait_for: [text], selector: MESSAGE_LIST)
        "POST /send/message {phone: #{MARIA}, message: \"#{text}\"}: #{shot_path('4-reply-sent')}"
      end
    end
  end
end

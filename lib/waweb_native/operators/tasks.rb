# frozen_string_literal: true

module WawebNative
  module Operators
    # The bodies of the waweb:* rake tasks (lib/waweb_native/tasks/waweb.rake), kept here so
    # they can be called and tested without Rake. Each prints to `out` and returns true when fine.
    module Tasks
      module_function

      # Every check for one inbox (or every whatsapp_web inbox when inbox_id is blank).
      # rubocop:disable Naming/PredicateMethod -- tasks answering true when all is well
      def doctor(inbox_id, out: $stdout)
        inboxes(inbox_id).map do |inbox|
          connection = Connection.new(inbox)
          doctor = Doctor.new(connection)
          out.puts "Inbox #{inbox.id} (#{inbox.name}, #{connection.channel.phone_number}) " \
                   "via #{connection.gateway_url}"
          doctor.report.each { |line| out.puts "  #{line}" }
          out.puts "  #{doctor.ok? ? 'All checks passed.' : 'Fix the [FAIL] lines above, then run this again.'}"
          doctor.ok?
        end.all?
      end

      # The gateway's flags for this inbox. Prints the webhook secret and the Basic Auth
      # password: that is what the operator asked for (they go on the gateway's command line).
      def webhook_url(inbox_id, out: $stdout)
        raise ArgumentError, "Give the inbox id: rake waweb:webhook_url[<inbox_id>]" if inbox_id.to_s.strip.empty?

        connection = Connection.new(find_inbox(inbox_id))
        out.puts "# Start the gateway for inbox #{connection.inbox.id} (#{connection.channel.phone_number}) with:"
        connection.gateway_flags.each { |flag| out.puts flag }
        out.puts "# or, as environment variables:"
        connection.gateway_env.each { |key, value| out.puts "#{key}=#{value}" }
        problem = connection.webhook_secret_problem
        out.puts "# WARNING: #{problem}" if problem
        problem.nil?
      end

      def status(inbox_id, out: $stdout)
        inboxes(inbox_id).map do |inbox|
          connection = Connection.new(inbox)
          s = connection.status
          state = "#{s[:logged_in] ? 'logged in' : 'NOT logged in'}, #{s[:connected] ? 'connected' : 'not connected'}"
          out.puts "Inbox #{inbox.id} (#{connection.channel.phone_number}): #{state}" \
                   "#{", device #{s[:device_id]}" if s[:device_id]}; #{s[:gateway_configuration]}"
          s[:logged_in]
        rescue WawebNative::Gateway::Error => e
          out.puts "Inbox #{inbox.id}: #{connection.explain(e)}"
          false
        end.all?
      end

      # Runs a history import in this process (not on Sidekiq), printing where it ended.
      def import(inbox_id, days, out: $stdout)
        if inbox_id.to_s.strip.empty?
          raise ArgumentError,
                "Give the inbox id and the days: rake \"waweb:import[<inbox_id>,7]\""
        end

        inbox = Connection.new(find_inbox(inbox_id)).inbox
        days = days.to_s.strip.empty? ? 7 : Integer(days.to_s, 10)
        out.puts "Importing the last #{days} days of inbox #{inbox.id} (#{inbox.channel.phone_number})..."
        ran = WawebNative::History.run_now(inbox, days: days)
        status = WawebNative::History.status(inbox)
        out.puts import_line(status, ran)
        ran && status[:state] == "done"
      end

      def import_line(status, ran)
        progress = "#{status[:chats_done]}/#{status[:chats_total] || '?'} chats, #{status[:messages]} messages imported"
        return "Another import of this inbox is running (#{progress}); try again when it is done." unless ran
        return "Stopped: #{status[:error]} (#{progress}). Run the task again to resume." if status[:state] == "failed"

        "Done: #{progress}."
      end

      # Points the gateway's device webhook at the inbox (GOWA v9+). force: replace a webhook set elsewhere.
      def configure_gateway(inbox_id, force: false, out: $stdout)
        raise ArgumentError, "Give the inbox id: rake waweb:configure_gateway[<inbox_id>]" if inbox_id.to_s.strip.empty?

        connection = Connection.new(find_inbox(inbox_id))
        result = connection.configure_gateway(force: force)
        out.puts "Inbox #{connection.inbox.id} (#{connection.channel.phone_number}): #{result.message}"
        if result.state == :elsewhere
          out.puts "  To replace it: rake \"waweb:configure_gateway[#{connection.inbox.id},force]\""
        elsif result.state == :too_old
          out.puts "  Run rake \"waweb:webhook_url[#{connection.inbox.id}]\" for the flags."
        end
        result.configured?
      rescue WawebNative::Gateway::Error => e
        out.puts "Inbox #{inbox_id}: #{connection ? connection.explain(e) : e.message}"
        false
      end

      # rubocop:enable Naming/PredicateMethod

      def find_inbox(inbox_id)
        ::Inbox.find(Integer(inbox_id.to_s, 10))
      rescue ArgumentError
        raise ArgumentError, "Not an inbox id: #{inbox_id.inspect}"
      end

      def inboxes(inbox_id)
        return [find_inbox(inbox_id)] unless inbox_id.to_s.strip.empty?

        ids = ::Channel::Whatsapp.where(provider: WawebNative::Chatwoot::PROVIDER).pluck(:id)
        found = ::Inbox.where(channel_type: "Channel::Whatsapp", channel_id: ids).order(:id).to_a
        raise ArgumentError, "No WhatsApp Web inbox exists yet: create one first (see the README)." if found.empty?

        found
      end
    end
  end
end

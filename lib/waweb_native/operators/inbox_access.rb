# frozen_string_literal: true

module WawebNative
  module Operators
    # Authorisation shared by the management API and the connection page, on top of the
    # host's own token authentication (Chatwoot's `api_access_token` header, which sets
    # Current.user): only an account's administrators manage its whatsapp_web inboxes.
    module InboxAccess
      # :ok, :not_found (no such inbox in an account the user belongs to), :forbidden (an agent),
      # :not_whatsapp_web. `inbox` is the record when found.
      Verdict = Struct.new(:outcome, :inbox, :account_user)

      module_function

      def check(user:, inbox_id:, account: nil)
        scope = account ? account.inboxes : ::Inbox
        inbox = scope.find_by(id: inbox_id)
        membership = inbox && user && ::AccountUser.find_by(account_id: inbox.account_id, user_id: user.id)
        return Verdict.new(:not_found, nil, nil) if membership.nil?
        return Verdict.new(:forbidden, inbox, membership) unless membership.administrator?
        unless WawebNative::Chatwoot.whatsapp_web?(inbox.channel)
          return Verdict.new(:not_whatsapp_web, inbox, membership)
        end

        Verdict.new(:ok, inbox, membership)
      end
    end
  end
end

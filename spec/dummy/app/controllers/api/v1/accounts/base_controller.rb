# frozen_string_literal: true

module Api
  module V1
    module Accounts
      # Chatwoot's EnsureCurrentAccountHelper: the account in the path must be one the user belongs to.
      class BaseController < Api::BaseController
        before_action :current_account

        private

        def current_account
          @current_account ||= ensure_current_account
        end

        def ensure_current_account
          account = Account.find(params[:account_id])
          account_user = account.account_users.find_by(user_id: Current.user.id)
          return render_unauthorized("You are not authorized to access this account") unless account_user

          Current.account = account
          Current.account_user = account_user
          account
        end
      end
    end
  end
end

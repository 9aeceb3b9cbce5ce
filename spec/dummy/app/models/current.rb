# frozen_string_literal: true

# Per-request state, as Chatwoot's Current: set by the API base controllers.
class Current < ActiveSupport::CurrentAttributes
  attribute :user, :account, :account_user
end

# frozen_string_literal: true

# A user's membership of an account, with Chatwoot's roles.
class AccountUser < ApplicationRecord
  belongs_to :account
  belongs_to :user

  enum :role, { agent: 0, administrator: 1 }

  validates :user_id, uniqueness: { scope: :account_id }
end

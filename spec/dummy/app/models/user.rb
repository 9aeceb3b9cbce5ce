# frozen_string_literal: true

# An agent: the sender of messages typed in Chatwoot.
class User < ApplicationRecord
  has_many :messages, as: :sender, dependent: :nullify
  has_many :account_users, dependent: :destroy
  has_many :accounts, through: :account_users
  has_one :access_token, as: :owner, dependent: :destroy

  # Chatwoot's AccessTokenable: every user gets an API token.
  after_create :create_access_token

  validates :name, :email, presence: true
end

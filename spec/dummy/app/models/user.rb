# frozen_string_literal: true

# An agent: the sender of messages typed in Chatwoot.
class User < ApplicationRecord
  has_many :messages, as: :sender, dependent: :nullify

  validates :name, :email, presence: true
end

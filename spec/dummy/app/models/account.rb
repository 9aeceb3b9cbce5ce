# frozen_string_literal: true

class Account < ApplicationRecord
  enum :status, { active: 0, suspended: 1 }

  has_many :account_users, dependent: :destroy
  has_many :users, through: :account_users
  has_many :inboxes, dependent: :destroy
  has_many :contacts, dependent: :destroy
  has_many :conversations, dependent: :destroy
  has_many :messages, dependent: :destroy
  has_many :whatsapp_channels, dependent: :destroy, class_name: "::Channel::Whatsapp"

  validates :name, presence: true
end

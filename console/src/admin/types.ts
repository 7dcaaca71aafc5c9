// Answers the gateway does not declare in its OpenAPI document (identity's operator_view and
// api_client_view, notify's template list): only the fields the screens read.
export interface Operator {
  grant_id: string
  person_id: string
  name: string
  phone_masked: string | null
  role: string
  scope_code: string
  carrier_id: string | null
  granted_at: string | null
  login?: 'created' | 'existing'
}

export interface ApiClient {
  client_id: string
  name: string
  scope_code: string
  status: 'active' | 'revoked'
  created_at: string | null
  secret_rotated_at: string | null
  revoked_at: string | null
  revoke_reason: string | null
  client_secret?: string
}

export interface Carrier {
  carrier_id: string
  name: string
  region_code: string
}

export interface Listing<T> {
  items: T[]
  total: number
  page?: number
  page_size?: number
}

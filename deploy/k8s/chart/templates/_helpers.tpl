{{/* Labels shared by every object; "component" names the service. */}}
{{- define "timebank.labels" -}}
app.kubernetes.io/name: timebank
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/version: {{ .root.Values.image.tag | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/component: {{ .component }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end }}

{{- define "timebank.selector" -}}
app.kubernetes.io/name: timebank
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "timebank.image" -}}
{{ printf "%s:%s" .Values.image.repository .Values.image.tag }}
{{- end }}

{{/* The PostgreSQL cluster (CloudNativePG) of one service; its read-write Service is <name>-rw. */}}
{{- define "timebank.dbCluster" -}}
timebank-{{ . }}-db
{{- end }}

{{/* <SERVICE>_DATABASE_URL for one role of a service (deploy/databases.py's names:
     timebank_<service>_owner / _app, database timebank_<service>); the password from the
     basic-auth Secret timebank-<service>-db-<role> (URL-safe: CNPG's generated ones are). */}}
{{- define "timebank.databaseUrlEnv" -}}
- name: TIMEBANK_DB_PASSWORD
  valueFrom: {secretKeyRef: {name: {{ printf "timebank-%s-db-%s" .service .role }}, key: password}}
- name: {{ .var }}
  value: {{ printf "postgresql+psycopg://timebank_%s_%s:$(TIMEBANK_DB_PASSWORD)@%s-rw:5432/timebank_%s" .service .role (include "timebank.dbCluster" .service) .service | quote }}
{{- end }}

{{- define "timebank.amqpEnv" -}}
- name: AMQP_URI
  valueFrom: {secretKeyRef: {name: {{ printf "timebank-%s-amqp" . }}, key: uri}}
{{- end }}

{{- define "timebank.podSecurity" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: 10001
  runAsGroup: 10001
  fsGroup: 10001
  seccompProfile: {type: RuntimeDefault}
{{- end }}

{{- define "timebank.containerSecurity" -}}
securityContext:
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  capabilities: {drop: [ALL]}
{{- end }}

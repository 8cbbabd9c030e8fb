# CPU image for the API and trial workers (the same image; the command picks the role).
FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends dataset-fashion-mnist python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY prisma ./prisma
COPY prisma.config.ts ./
RUN npm ci --no-audit --no-fund
COPY . .
ENV HOST=0.0.0.0 PORT=3000
EXPOSE 3000
CMD ["npm", "run", "api"]

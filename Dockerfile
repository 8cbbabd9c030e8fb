# CPU image for the API and trial workers (the same image; the command picks the role). libdnnl-dev
# lets npm ci build the oneDNN addon, the fastest CPU training backend (TRAINING_BACKEND=native).
FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends dataset-fashion-mnist python3 make g++ libdnnl-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY scripts ./scripts
COPY prisma ./prisma
COPY prisma.config.ts ./
COPY native ./native
RUN npm ci --no-audit --no-fund
COPY . .
ENV HOST=0.0.0.0 PORT=3000
EXPOSE 3000
CMD ["npm", "run", "api"]
